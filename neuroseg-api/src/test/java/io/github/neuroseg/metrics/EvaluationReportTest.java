package io.github.neuroseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {
  @TempDir Path dir;

  /** A generated neuron in voxel coordinates, about 120 x 100 x 30 voxels. */
  private static NeuronTree neuron() {
    return NeuronGenerator.newBuilder().bounds(120, 100, 30).seed(5).build().generate();
  }

  /** The tree written to an SWC file with these header lines and read back. */
  private NeuronTree swc(String name, NeuronTree tree, String... header) throws IOException {
    Path f = dir.resolve(name);
    StringBuilder text = new StringBuilder();
    for (String h : header) {
      text.append("# ").append(h).append('\n');
    }
    for (SwcNode n : tree.nodes()) {
      text.append(n.id()).append(' ').append(n.structure()).append(' ').append(n.x())
          .append(' ').append(n.y()).append(' ').append(n.z()).append(' ').append(n.radius())
          .append(' ').append(n.parent()).append('\n');
    }
    Files.writeString(f, text);
    return Swc.read(f);
  }

  private static EvaluationReport report(NeuronTree predicted, NeuronTree truth) {
    return EvaluationReport.compare(null, null, predicted, truth, 0.5, 2, 2);
  }

  @Test
  void treesInMicronsAndVoxelsAreReportedInsteadOfASilentZero() throws IOException {
    // the same neuron: the ground truth in microns (0.3 um voxels), the trace in voxels
    NeuronTree truth = swc("truth.swc", neuron().scale(0.3, 0.3, 0.3),
        "NeuroMorpho-style header", "unit: um");
    NeuronTree traced = swc("traced.swc", neuron(), "APP2-style trace, voxel size 1.0 x 1.0 x"
        + " 1.0 voxel");
    EvaluationReport r = report(traced, truth);
    List<String> lines = r.lines();
    assertEquals(List.of(ReconstructionMetrics.Warning.Kind.UNITS),
        r.warnings().stream().map(ReconstructionMetrics.Warning::kind).toList(), r.text());
    assertTrue(lines.get(0).startsWith("warning: the trees state different units"), r.text());
    assertTrue(lines.get(0).contains("the reconstruction voxel, the ground truth micron"),
        lines.get(0));
    assertFalse(r.text().contains("error:"), r.text());
    String eval = lines.get(lines.size() - 1);
    assertTrue(eval.startsWith("EVAL dice=na hd95=na esa="), eval);
    assertTrue(eval.endsWith(" warn=units"), eval);
  }

  @Test
  void sizesThatDifferByALargeFactorAreReportedWithoutUnitStatements() throws IOException {
    // no unit in either header: 0.1 um voxels make the micron tree 10 times smaller, and near
    // the origin it lies outside the voxel tree's box
    NeuronTree traced = swc("traced.swc", neuron());
    NeuronTree truth = swc("truth.swc", neuron().scale(0.1, 0.1, 0.1), "no unit here");
    EvaluationReport r = report(traced, truth);
    assertEquals(List.of(ReconstructionMetrics.Warning.Kind.SCALE,
        ReconstructionMetrics.Warning.Kind.DISJOINT),
        r.warnings().stream().map(ReconstructionMetrics.Warning::kind).toList(), r.text());
    String w = r.lines().get(0);
    assertTrue(w.startsWith("warning: the trees differ in size by a factor of 10.0"), w);
    assertTrue(w.contains("of the ground truth's nodes lie within 2 of the other tree"), w);
    assertTrue(r.lines().get(1).startsWith("warning: the trees do not overlap"), r.text());
    assertTrue(r.evalLine().endsWith(" f1=" + EvaluationReport.format(
        r.reconstruction().f1()) + " warn=scale,disjoint"), r.evalLine());
    // moved into the corner of the voxel tree's box, the small tree overlaps it but does not
    // lie on it: the size alone is reported
    double[] box = traced.boundingBox();
    NeuronTree inside = truth.translate(box[0] - truth.boundingBox()[0],
        box[1] - truth.boundingBox()[1], box[2] - truth.boundingBox()[2]);
    EvaluationReport c = report(traced, inside);
    assertEquals(List.of(ReconstructionMetrics.Warning.Kind.SCALE),
        c.warnings().stream().map(ReconstructionMetrics.Warning::kind).toList(), c.text());
    assertTrue(c.evalLine().endsWith(" warn=scale"), c.evalLine());
  }

  @Test
  void treesThatDoNotOverlapAreReported() throws IOException {
    NeuronTree truth = swc("truth.swc", neuron().translate(5000, 7000, 3000), "unit: micron");
    NeuronTree traced = swc("traced.swc", neuron(), "All positions and radii in microns");
    EvaluationReport r = report(traced, truth);
    assertEquals(List.of(ReconstructionMetrics.Warning.Kind.DISJOINT),
        r.warnings().stream().map(ReconstructionMetrics.Warning::kind).toList(), r.text());
    assertTrue(r.lines().get(0).startsWith("warning: the trees do not overlap"), r.text());
    assertEquals(0, r.reconstruction().f1(), 0);
    assertTrue(r.evalLine().endsWith(" f1=0.0000 warn=disjoint"), r.evalLine());
  }

  @Test
  void comparableTreesGiveNoWarning() throws IOException {
    NeuronTree truth = swc("truth.swc", neuron(), "units = voxels");
    // a partial trace: a short piece of the neuron (much smaller, but lying on it)
    List<SwcNode> piece = new ArrayList<>(truth.nodes().subList(0, 8));
    NeuronTree partial = swc("partial.swc", NeuronTree.of(piece), "coordinates in pixels");
    assertTrue(diagonal(truth) > 5 * diagonal(partial), "the piece is small");
    for (NeuronTree predicted : List.of(truth, partial,
        truth.translate(1.5, -1, 0.5), NeuronTree.empty())) {
      EvaluationReport r = report(predicted, truth);
      assertEquals(List.of(), r.warnings(), r.text());
      assertFalse(r.text().contains("warning"), r.text());
      assertFalse(r.evalLine().contains("warn="), r.evalLine());
    }
    assertEquals("EVAL dice=na hd95=na esa=0.0000 dsa=0.0000 pds=0.0000 f1=1.0000",
        report(truth, truth).evalLine());
  }

  /** A 8 x 8 x 4 mask: value {@code v} in the x range [x0, x1), 0 elsewhere. */
  private static Volume block(int x0, int x1, int v) {
    byte[] b = new byte[8 * 8 * 4];
    for (int i = 0; i < b.length; i++) {
      int x = i % 8;
      b[i] = (byte) (x >= x0 && x < x1 ? v : 0);
    }
    return Volume.ofUnsignedBytes(b, 8, 8, 4, VoxelSize.UNIT);
  }

  @Test
  void aMaskThresholdThatLeavesNoGroundTruthIsRefusedInsteadOfAPerfectDice() {
    Volume truth = block(0, 4, 1);
    Volume predicted = block(1, 4, 1);
    // a real Dice: 2 * 3 / (4 + 3)
    assertEquals(6.0 / 7, EvaluationReport.compare(predicted, truth, null, null, 0, 2, 2)
        .dice(), 1e-12);
    for (double t : new double[] {1, 5, Double.MAX_VALUE}) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> EvaluationReport.compare(predicted, truth, null, null, t, 2, 2));
      assertTrue(e.getMessage().startsWith("no voxel of the ground-truth mask")
          && e.getMessage().contains("above the mask threshold " + t)
          && e.getMessage().contains("its values are 0.0 to 1.0"), e.getMessage());
    }
    for (double t : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> EvaluationReport.compare(predicted, truth, null, null, t, 2, 2));
      assertEquals("mask threshold must be finite, got " + t, e.getMessage());
    }
    // an all-zero ground truth is a real empty mask: two empty masks agree
    Volume empty = block(0, 0, 0);
    assertEquals(1.0, EvaluationReport.compare(empty, empty, null, null, 0, 2, 2).dice(), 0);
  }

  @Test
  void anEmptyGroundTruthTreeIsRefusedAndOptionsAreNamed() {
    NeuronTree t = neuron();
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> report(t, NeuronTree.empty()));
    assertTrue(e.getMessage().startsWith("the ground-truth reconstruction has no nodes"),
        e.getMessage());
    assertEquals("distance threshold must be finite and >= 0, got NaN", assertThrows(
        InvalidInputException.class,
        () -> EvaluationReport.compare(null, null, t, t, 0, Double.NaN, 2)).getMessage());
    assertEquals("tolerance must be finite and >= 0, got -1.0", assertThrows(
        InvalidInputException.class,
        () -> EvaluationReport.compare(null, null, t, t, 0, 2, -1)).getMessage());
  }

  private static double diagonal(NeuronTree t) {
    double[] b = t.boundingBox();
    return Math.sqrt((b[3] - b[0]) * (b[3] - b[0]) + (b[4] - b[1]) * (b[4] - b[1])
        + (b[5] - b[2]) * (b[5] - b[2]));
  }
}
