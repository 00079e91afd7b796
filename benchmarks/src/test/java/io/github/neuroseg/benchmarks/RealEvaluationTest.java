package io.github.neuroseg.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.benchmarks.RealEvaluation.CaseResult;
import io.github.neuroseg.benchmarks.RealEvaluation.Method;
import io.github.neuroseg.benchmarks.RealEvaluation.Row;
import io.github.neuroseg.benchmarks.RealEvaluation.Split;
import io.github.neuroseg.metrics.ContrastToNoise;
import io.github.neuroseg.metrics.ReconstructionMetrics;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.NeuronGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealEvaluationTest {

  private static NeuronTree line(double x0, double y0, double x1, double y1) {
    return NeuronTree.of(List.of(new SwcNode(1, 1, x0, y0, 5, 1, -1),
        new SwcNode(2, 3, x1, y1, 5, 1, 1)));
  }

  /**
   * A reference from x = 20 to 40; the prediction runs on to x = 100 (a trunk the gold standard
   * leaves out) and has a second fibre far away. At one node per voxel the prediction has 81
   * nodes on the first fibre, of which x = 20..42 (23) are within 2 voxels of the reference; the
   * box x = 10..50 keeps x = 20..50 (31 nodes) and drops the other fibre.
   */
  @Test
  void boxedScoresDropOnlyWhatLiesOutsideTheReferencesRegion() {
    NeuronTree ref = line(20, 20, 40, 20);
    List<SwcNode> p = new ArrayList<>(line(20, 20, 100, 20).nodes());
    p.add(new SwcNode(10, 1, 20, 90, 5, 1, -1));
    p.add(new SwcNode(11, 3, 60, 90, 5, 1, 10));
    NeuronTree pred = NeuronTree.of(p);
    NeuronTree boxed = RealEvaluation.boxed(ref, pred);
    assertEquals(1, boxed.roots().size(), "the far fibre is gone");
    ReconstructionMetrics.Scores plain = ReconstructionMetrics.compare(ref, pred);
    ReconstructionMetrics.Scores inBox = ReconstructionMetrics.compare(ref, boxed);
    assertEquals(23.0 / (81 + 41), plain.precision(), 1e-12);
    assertEquals(23.0 / 31, inBox.precision(), 1e-12);
    assertEquals(1.0, inBox.recall(), 1e-12);
    assertEquals(plain.recall(), inBox.recall(), 1e-12);
  }

  @Test
  void theSplitComesFromTheMetadata() {
    Split s = Split.of(Map.of("training_cases", "OP_1, AA0001.swc,OP_3.tif",
        "validation_cases", "crop1", "test_cases", "OP_5"));
    assertEquals("*train", s.mark("OP_1", "OP_1"));
    assertEquals("*train", s.mark("OP_3", "OP_3"), "extensions are ignored");
    assertEquals("*train", s.mark("AA0001@cnr3", "AA0001"), "a rendering of a training tree");
    assertEquals("*val", s.mark("crop1", "crop1"));
    assertEquals("test", s.mark("OP_5", "OP_5"));
    assertEquals("", s.mark("OP_2", "OP_2"));
    assertEquals("", Split.of(Map.of()).mark("OP_1", "OP_1"), "no split: nothing is marked");
  }

  private static Row row(Method m, double f1) {
    return new Row(m, f1, f1, f1, Double.NaN, Double.NaN, 1, 2, 0.1, 1, 2, Double.NaN,
        Double.NaN, 0.5);
  }

  private static CaseResult result(String name, boolean counted, boolean rendered, double run,
      double b1, double b2) {
    return new CaseResult(name, counted ? "" : "*train", counted, rendered, 1, 3,
        List.of(row(Method.RUN, run), row(Method.MEAN_HALF_STD, b1),
            row(Method.GAUSS_THREE_STD, b2)), "note");
  }

  /**
   * Means over the counted cases only; base_f1 is the better baseline's mean; a win is a case
   * where the model is at least as good as both baselines.
   */
  @Test
  void benchLineCountsOnlyCasesTheModelDidNotSee() {
    List<CaseResult> r = List.of(
        result("a", true, false, 0.8, 0.5, 0.7),
        result("b", true, true, 0.4, 0.6, 0.4),
        result("c", true, true, 0.6, 0.2, 0.6),
        result("seen", false, true, 1.0, 0.0, 0.0));
    // run 1.8 / 3 = 0.6; mean+0.5std 1.3 / 3; gauss 1.7 / 3 = 0.5667; wins: a and c (a tie)
    assertEquals("BENCH real vit_f1=0.6000 base_f1=0.5667 wins=2 cases=3",
        RealEvaluation.benchLine(r));
    String text = RealEvaluation.table(r, false);
    assertEquals(1 + 4 * 4, text.split("\n").length, "a header, then a reference row and three"
        + " method rows per case");
    String md = RealEvaluation.table(r, true);
    assertTrue(md.lines().allMatch(l -> l.startsWith("| ") && l.endsWith(" |")), md);
    String means = RealEvaluation.means(r, false);
    List<String> lines = means.lines().toList();
    assertEquals(1 + 3 * 3 + 1, lines.size(), means);
    // all counted cases, then the real case "a" alone, then the rendered "b" and "c"
    assertTrue(lines.get(1).matches("all 3 +run .* 0\\.600 .*"), lines.get(1));
    assertTrue(lines.get(4).matches("real 1 +run .* 0\\.800 .*"), lines.get(4));
    assertTrue(lines.get(7).matches("rendered 2 +run .* 0\\.500 .*"), lines.get(7));
    assertTrue(means.contains("left out (the model trained or validated on them): seen"), means);
    assertEquals(1 + 3 * 4, RealEvaluation.tsv(r).split("\n").length);
  }

  /** The goal line names every counted loss and checks margin, recall and the CNR-3 masks. */
  @Test
  void goalLineNamesLossesAndChecksEveryCondition() {
    List<CaseResult> r = List.of(
        result("a", true, false, 0.8, 0.5, 0.7),
        result("b", true, true, 0.4, 0.6, 0.4),
        result("seen", false, true, 0.0, 0.9, 0.9));
    // run mean 0.6, better baseline mean max(0.55, 0.55); the row helper sets recall = F1
    assertEquals("GOAL real losses=1 margin=0.0500 min_recall=0.4000 cnr3_min_dice=Infinity"
        + " cnr3_max_trees=0 met=no lost=b", RealEvaluation.goalLine(r));
    Row good = new Row(Method.RUN, 0.95, 0.95, 0.95, Double.NaN, Double.NaN, 1, 2, 0.1, 2, 2,
        0.65, 1, 0.5);
    List<CaseResult> won = List.of(result("a", true, false, 0.95, 0.5, 0.7),
        new CaseResult("t@cnr3", "", true, true, 1, 3, List.of(good,
            row(Method.MEAN_HALF_STD, 0.5), row(Method.GAUSS_THREE_STD, 0.8)), "note"));
    assertEquals("GOAL real losses=0 margin=0.2000 min_recall=0.9500 cnr3_min_dice=0.6500"
        + " cnr3_max_trees=2 met=yes lost=-", RealEvaluation.goalLine(won));
    Row fragmented = new Row(Method.RUN, 0.95, 0.95, 0.95, Double.NaN, Double.NaN, 1, 2, 0.1, 4,
        2, 0.65, 1, 0.5);
    assertTrue(RealEvaluation.goalLine(List.of(new CaseResult("t@cnr3", "", true, true, 1, 3,
        List.of(fragmented, row(Method.MEAN_HALF_STD, 0.5), row(Method.GAUSS_THREE_STD, 0.8)),
        "note"))).contains("cnr3_max_trees=4 met=no"));
  }

  /**
   * The whole pipeline on one small rendered case: the contrast-to-noise ratio is calibrated, the
   * three methods segment, trace and score, the traces are written, and a second run gives the
   * same numbers.
   */
  @Test
  void evaluatesASmallRenderedCase(@TempDir Path dir) throws Exception {
    NeuronTree tree = NeuronGenerator.newBuilder().bounds(64, 64, 24).seed(3).build().generate();
    RealCases.Case c = RealCases.rendered("gen@cnr3", "gen", tree, 3, 7, 48);
    double cnr = ContrastToNoise.measure(c.volume().image(), c.truthMask()).ratio();
    assertEquals(3, cnr, 3 * RealCases.CNR_TOLERANCE, "calibrated contrast-to-noise ratio");
    assertEquals(RealCases.VOXEL_SIZE, c.volume().voxelSize());
    assertTrue(c.note().contains("measured CNR"), c.note());
    try (Segmenter s = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
      CaseResult r = RealEvaluation.evaluate(c, s, Split.of(s.modelMetadata()), dir);
      assertEquals(3, r.rows().size());
      for (Row w : r.rows()) {
        String m = w.method().label;
        for (double v : new double[] {w.precision(), w.recall(), w.f1(), w.dice()}) {
          assertTrue(v >= 0 && v <= 1, m + ": " + w);
        }
        assertTrue(Double.isNaN(w.boxPrecision()), "boxed scores are for DIADEM only");
        assertTrue(w.hd95() >= 0, m + ": " + w);
        NeuronTree traced = Swc.read(dir.resolve("gen@cnr3." + m + ".swc"));
        assertEquals(w.trees(), traced.roots().size(), m);
        assertEquals(w.tips(), traced.leaves().size(), m);
      }
      assertEquals(c.reference(), Swc.read(dir.resolve("gen@cnr3.reference.swc")));
      CaseResult again = RealEvaluation.evaluate(c, s, Split.of(s.modelMetadata()), null);
      for (Method m : Method.values()) {
        Row a = r.row(m);
        Row b = again.row(m);
        assertEquals(a.f1(), b.f1(), 0, m.label);
        assertEquals(a.esa(), b.esa(), 0, m.label);
        assertEquals(a.dice(), b.dice(), 0, m.label);
        assertEquals(a.tips(), b.tips(), m.label);
      }
    }
  }
}
