package io.github.neuroseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.TestTrees;
import io.github.neuroseg.testing.Generators;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class ReconstructionMetricsTest {
  private static final long SEED = 424242L;

  /**
   * Thresholds and tolerances are generated away from round numbers, so that no distance of the
   * (partly round) generated geometry lies within rounding of one and the independent reference
   * below classifies every point as the metric does.
   */
  private static final double OFFSET = 0.0123456789;

  private static NeuronTree line(double y, double z, double x0, double x1, int nodes) {
    List<SwcNode> out = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      double x = x0 + (x1 - x0) * i / (nodes - 1);
      out.add(new SwcNode(i + 1, 3, x, y, z, 1, i == 0 ? -1 : i));
    }
    return NeuronTree.of(out);
  }

  @Test
  void parallelLines() {
    for (double d : new double[] {0.5, 1.5, 2.0, 2.5, 7.0}) {
      NeuronTree a = line(0, 0, 0, 50, 6);
      NeuronTree b = line(d * 0.6, d * 0.8, 0, 50, 11);
      var s = ReconstructionMetrics.compare(a, b);
      // at d = 2 every distance is exactly the threshold (1.2^2 + 1.6^2 = 4 in doubles), and a
      // distance equal to the threshold is far, as in Vaa3D (cur_d >= d_thres)
      boolean far = d >= 2;
      assertEquals(d, s.esa(), 1e-9, "ESA at distance " + d);
      assertEquals(far ? 1.0 : 0.0, s.pds(), 0, "PDS at distance " + d);
      assertEquals(far ? d : 0.0, s.dsa(), 1e-9, "DSA at distance " + d);
      assertEquals(d <= 2 ? 1.0 : 0.0, s.f1(), 0, "F1 at distance " + d);
      assertEquals(51, s.referenceNodes());
      assertEquals(51, s.predictedNodes());
      // Vaa3D's sampling: 5 segments of length 10 give 11 points each, 10 of length 5 give 6
      assertEquals(55, s.referenceSamples());
      assertEquals(60, s.predictedSamples());
    }
  }

  @Test
  void identicalTreesScorePerfectly() {
    qt().withFixedSeed(SEED).withExamples(30)
        .forAll(Generators.walks(1, 200, doubles().between(0.1, 3), new double[] {50, 50, 50}))
        .checkAssert(t -> {
          var s = ReconstructionMetrics.compare(t, t);
          assertEquals(0, s.esa(), 1e-12);
          assertEquals(0, s.dsa(), 0);
          assertEquals(0, s.pds(), 0);
          assertEquals(1, s.precision(), 0);
          assertEquals(1, s.recall(), 0);
          assertEquals(1, s.f1(), 0);
        });
  }

  @Test
  void partialOverlapPrecisionRecall() {
    // reference 0..40 along x; prediction covers 0..20 plus a spur 10 units away
    NeuronTree ref = line(0, 0, 0, 40, 2);
    List<SwcNode> p = new ArrayList<>(line(0, 0, 0, 20, 2).nodes());
    p.add(new SwcNode(3, 2, 20, 10, 0, 1, 2));
    NeuronTree pred = NeuronTree.of(p);
    var s = ReconstructionMetrics.compare(ref, pred);
    // resampled: ref 41 nodes, pred 21 + 10 nodes. Recall: ref x in 0..22 within 2 of pred
    // (the spur starts at (20,0)) -> 23 / 41. Precision: spur nodes at y = 1..10: y<=2 -> 2
    // of them plus 21 -> 23 / 31.
    assertEquals(41, s.referenceNodes());
    assertEquals(31, s.predictedNodes());
    assertEquals(23.0 / 41, s.recall(), 1e-12);
    assertEquals(23.0 / 31, s.precision(), 1e-12);
    // neuron distance, Vaa3D's points: the reference's 41 points (0..40) are 0 away up to
    // x = 22, then x - 20 (far from x = 22 on: 19 of 41); the prediction's 21 + 11 points are
    // 0 away on the line and y away on the spur (far from y = 2 on: 9 of 32)
    assertEquals(41, s.referenceSamples());
    assertEquals(32, s.predictedSamples());
    assertEquals(19.0 / 41, s.pdsReferenceToPredicted(), 1e-12);
    assertEquals(9.0 / 32, s.pdsPredictedToReference(), 1e-12);
    assertEquals((19.0 / 41 + 9.0 / 32) / 2, s.pds(), 1e-12);
    double refFar = 0;
    for (int x = 22; x <= 40; x++) {
      refFar += x - 20;
    }
    double predFar = 0;
    for (int y = 2; y <= 10; y++) {
      predFar += y;
    }
    assertEquals((refFar / 19 + predFar / 9) / 2, s.dsa(), 1e-9);
    // all distances: the reference's sum to 1 + 2 + ... + 20 = 210, the prediction's to 55
    assertEquals(210.0 / 41, s.referenceToPredicted(), 1e-9);
    assertEquals(55.0 / 32, s.predictedToReference(), 1e-9);
    assertEquals((210.0 / 41 + 55.0 / 32) / 2, s.esa(), 1e-9);
  }

  @Test
  void emptyTrees() {
    NeuronTree e = NeuronTree.empty();
    var both = ReconstructionMetrics.compare(e, e);
    assertEquals(0, both.esa(), 0);
    assertEquals(1, both.f1(), 0);
    NeuronTree t = line(0, 0, 0, 5, 2);
    var one = ReconstructionMetrics.compare(t, e);
    assertEquals(Double.POSITIVE_INFINITY, one.esa());
    assertEquals(Double.POSITIVE_INFINITY, one.dsa());
    assertEquals(1, one.pds(), 0);
    assertEquals(0, one.f1(), 0);
    var other = ReconstructionMetrics.compare(e, t);
    assertEquals(Double.POSITIVE_INFINITY, other.esa());
    assertEquals(0, other.precision(), 0);
    assertEquals(0, other.recall(), 0);
    assertThrows(InvalidInputException.class, () -> ReconstructionMetrics.compare(t, t, -1, 2));
    assertThrows(InvalidInputException.class,
        () -> ReconstructionMetrics.compare(t, t, 2, Double.NaN));
  }

  @Test
  void loneRootsAreIgnoredBesideSegmentsAndTreesWithoutSegmentsArePoints() {
    // a lone root 100 away changes nothing when the tree has segments (as in Vaa3D) ...
    NeuronTree a = line(0, 0, 0, 10, 3);
    List<SwcNode> withLone = new ArrayList<>(a.nodes());
    withLone.add(new SwcNode(9, 1, 5, 100, 0, 1, -1));
    var s = ReconstructionMetrics.compare(a, NeuronTree.of(withLone));
    assertEquals(0, s.esa(), 1e-12);
    assertEquals(0, s.pds(), 0);
    // ... and a tree of two lone roots is sampled and measured as its two points
    NeuronTree points = NeuronTree.of(List.of(new SwcNode(1, 1, 0, 3, 0, 1, -1),
        new SwcNode(2, 1, 10, 4, 0, 1, -1)));
    var p = ReconstructionMetrics.compare(a, points);
    assertEquals(2, p.predictedSamples());
    assertEquals((3 + 4) / 2.0, p.predictedToReference(), 1e-12);
    assertEquals(1, p.pdsPredictedToReference(), 0);
  }

  /**
   * Against a brute-force evaluation of the definitions on generated trees: Vaa3D's sample
   * points written out again, every point against every segment (a ternary search on the
   * segment's parameter, not the closed form), and the resampled nodes for precision and recall.
   */
  @Test
  void matchesBruteForceOnGeneratedTrees() {
    Gen<NeuronTree> walks = Generators.walks(5, 64, doubles().between(0.3, 3.3),
        new double[] {20, 20, 20});
    Gen<NeuronTree> forests = doubles().between(5, 65).<NeuronTree>flatMap(spread ->
        Generators.forests(1, 40, new double[] {spread, spread, spread / 3}, 1))
        .describedAs(Swc::format);
    Gen<Double> thresholds = doubles().between(1, 4).map(v -> v + OFFSET);
    qt().withFixedSeed(SEED).withExamples(40)
        .forAll(walks, forests, thresholds, thresholds)
        .checkAssert((a, b, thr, tol) -> {
          var s = ReconstructionMetrics.compare(a, b, thr, tol);
          double[] dab = brute(vaa3dPoints(a), vaa3dTargets(b));
          double[] dba = brute(vaa3dPoints(b), vaa3dTargets(a));
          assertEquals(dab.length, s.referenceSamples());
          assertEquals(dba.length, s.predictedSamples());
          double esaAb = mean(dab);
          double esaBa = mean(dba);
          assertEquals(esaAb, s.referenceToPredicted(), 1e-9);
          assertEquals(esaBa, s.predictedToReference(), 1e-9);
          assertEquals((esaAb + esaBa) / 2, s.esa(), 1e-9);
          double[] farAb = far(dab, thr);
          double[] farBa = far(dba, thr);
          double dsa = farAb.length > 0 && farBa.length > 0 ? (mean(farAb) + mean(farBa)) / 2
              : farAb.length > 0 ? mean(farAb) : farBa.length > 0 ? mean(farBa) : 0;
          assertEquals(dsa, s.dsa(), 1e-9);
          double pdsAb = (double) farAb.length / dab.length;
          double pdsBa = (double) farBa.length / dba.length;
          assertEquals(pdsAb, s.pdsReferenceToPredicted(), 1e-12);
          assertEquals(pdsBa, s.pdsPredictedToReference(), 1e-12);
          assertEquals((pdsAb + pdsBa) / 2, s.pds(), 1e-12);
          NeuronTree ra = a.resample(1.0);
          NeuronTree rb = b.resample(1.0);
          double[] recall = brute(nodePoints(ra), nodeTargets(rb));
          double[] precision = brute(nodePoints(rb), nodeTargets(ra));
          assertEquals(within(recall, tol), s.recall(), 1e-12);
          assertEquals(within(precision, tol), s.precision(), 1e-12);
        });
  }

  @Test
  void largeTreesAgreeWithBruteForceOnASample() {
    NeuronTree a = TestTrees.walk(11, 30_000, 1.0, new double[] {0, 0, 0});
    NeuronTree b = TestTrees.walk(12, 30_000, 1.0, new double[] {5, 0, 0});
    double[] d = ReconstructionMetrics.nodeDistances(a, b);
    List<double[]> targets = nodeTargets(b);
    qt().withFixedSeed(SEED).withExamples(200).forAll(integers().between(0, a.size() - 1))
        .checkAssert(i -> {
          SwcNode n = a.nodes().get(i);
          double best = brute(List.of(new double[] {n.x(), n.y(), n.z()}), targets)[0];
          assertEquals(best, d[i], 1e-9, "node " + i);
        });
  }

  /**
   * Vaa3D's own numbers on committed cases, as {@code vaa3d_neuron_distance.py} (numpy, brute
   * force, from the definition in Vaa3D's neuron_sim_scores) computed them.
   */
  @Test
  void matchesTheVaa3dDefinitionComputedInPython() throws IOException {
    Path dir = resource("neuron-distance.csv").getParent();
    List<String> rows = Files.readAllLines(dir.resolve("neuron-distance.csv"));
    assertEquals("case,threshold,esa,dsa,pds,esa_ref_to_pred,esa_pred_to_ref,pds_ref_to_pred,"
        + "pds_pred_to_ref,ref_samples,pred_samples", rows.get(0));
    assertEquals(11, rows.size(), "five cases at two thresholds");
    for (String row : rows.subList(1, rows.size())) {
      String[] c = row.split(",");
      NeuronTree ref = Swc.read(dir.resolve("cases/" + c[0] + "-ref.swc"));
      NeuronTree pred = Swc.read(dir.resolve("cases/" + c[0] + "-pred.swc"));
      double thr = Double.parseDouble(c[1]);
      var s = ReconstructionMetrics.compare(ref, pred, thr, 2);
      String msg = row;
      assertEquals(Double.parseDouble(c[2]), s.esa(), 1e-9, msg);
      assertEquals(Double.parseDouble(c[3]), s.dsa(), 1e-9, msg);
      assertEquals(Double.parseDouble(c[4]), s.pds(), 1e-12, msg);
      assertEquals(Double.parseDouble(c[5]), s.referenceToPredicted(), 1e-9, msg);
      assertEquals(Double.parseDouble(c[6]), s.predictedToReference(), 1e-9, msg);
      assertEquals(Double.parseDouble(c[7]), s.pdsReferenceToPredicted(), 1e-12, msg);
      assertEquals(Double.parseDouble(c[8]), s.pdsPredictedToReference(), 1e-12, msg);
      assertEquals(Integer.parseInt(c[9]), s.referenceSamples(), msg);
      assertEquals(Integer.parseInt(c[10]), s.predictedSamples(), msg);
    }
  }

  // ---------------------------------------------------------------- the independent reference

  /** Vaa3D's sample points, from the definition; a tree without segments gives its nodes. */
  private static List<double[]> vaa3dPoints(NeuronTree t) {
    List<double[]> out = new ArrayList<>();
    for (SwcNode n : t.nodes()) {
      SwcNode p = t.parentOf(n);
      if (p == null) {
        continue;
      }
      int count = (int) Math.floor(n.distanceTo(p) + 1.5);
      if (count <= 1) {
        out.add(new double[] {n.x(), n.y(), n.z()});
        continue;
      }
      for (int j = 0; j < count; j++) {
        double f = (double) j / (count - 1);
        out.add(new double[] {n.x() + f * (p.x() - n.x()), n.y() + f * (p.y() - n.y()),
            n.z() + f * (p.z() - n.z())});
      }
    }
    return out.isEmpty() ? nodePoints(t) : out;
  }

  /** Segments {a, b} Vaa3D measures to: parent-child pairs, or the nodes when there are none. */
  private static List<double[]> vaa3dTargets(NeuronTree t) {
    List<double[]> out = new ArrayList<>();
    for (SwcNode n : t.nodes()) {
      SwcNode p = t.parentOf(n);
      if (p != null) {
        out.add(new double[] {p.x(), p.y(), p.z(), n.x(), n.y(), n.z()});
      }
    }
    if (out.isEmpty()) {
      for (SwcNode n : t.nodes()) {
        out.add(new double[] {n.x(), n.y(), n.z(), n.x(), n.y(), n.z()});
      }
    }
    return out;
  }

  /** Segments for node matching: parent-child pairs and childless roots as points. */
  private static List<double[]> nodeTargets(NeuronTree t) {
    List<double[]> out = new ArrayList<>();
    for (SwcNode n : t.nodes()) {
      SwcNode p = t.parentOf(n);
      if (p != null) {
        out.add(new double[] {p.x(), p.y(), p.z(), n.x(), n.y(), n.z()});
      } else if (t.children(n.id()).isEmpty()) {
        out.add(new double[] {n.x(), n.y(), n.z(), n.x(), n.y(), n.z()});
      }
    }
    return out;
  }

  private static List<double[]> nodePoints(NeuronTree t) {
    return t.nodes().stream().map(n -> new double[] {n.x(), n.y(), n.z()}).toList();
  }

  /**
   * Distance of every point to the nearest target: each segment whose lower bound (distance to
   * its midpoint less half its length) beats the best so far is searched.
   */
  private static double[] brute(List<double[]> points, List<double[]> targets) {
    double[] out = new double[points.size()];
    for (int i = 0; i < out.length; i++) {
      double[] q = points.get(i);
      double best = Double.POSITIVE_INFINITY;
      for (double[] s : targets) {
        double half = 0.5 * dist(s[0], s[1], s[2], s[3], s[4], s[5]);
        double mid = dist(q[0], q[1], q[2], (s[0] + s[3]) / 2, (s[1] + s[4]) / 2,
            (s[2] + s[5]) / 2);
        if (mid - half >= best) {
          continue;
        }
        best = Math.min(best, pointToSegment(q, s));
      }
      out[i] = best;
    }
    return out;
  }

  /** The distance is convex in the segment parameter: ternary search to machine precision. */
  private static double pointToSegment(double[] q, double[] s) {
    double lo = 0;
    double hi = 1;
    for (int it = 0; it < 100; it++) {
      double m1 = lo + (hi - lo) / 3;
      double m2 = hi - (hi - lo) / 3;
      if (at(q, s, m1) <= at(q, s, m2)) {
        hi = m2;
      } else {
        lo = m1;
      }
    }
    return Math.min(at(q, s, (lo + hi) / 2), Math.min(at(q, s, 0), at(q, s, 1)));
  }

  private static double at(double[] q, double[] s, double t) {
    return dist(q[0], q[1], q[2], s[0] + t * (s[3] - s[0]), s[1] + t * (s[4] - s[1]),
        s[2] + t * (s[5] - s[2]));
  }

  private static double dist(double ax, double ay, double az, double bx, double by, double bz) {
    double dx = ax - bx;
    double dy = ay - by;
    double dz = az - bz;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  private static double[] far(double[] d, double threshold) {
    return java.util.Arrays.stream(d).filter(v -> v >= threshold).toArray();
  }

  private static double within(double[] d, double tolerance) {
    return (double) java.util.Arrays.stream(d).filter(v -> v <= tolerance).count() / d.length;
  }

  private static double mean(double[] d) {
    double s = 0;
    for (double v : d) {
      s += v;
    }
    return s / d.length;
  }

  private static Path resource(String name) {
    URL u = Objects.requireNonNull(ReconstructionMetricsTest.class.getResource(name), name);
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
