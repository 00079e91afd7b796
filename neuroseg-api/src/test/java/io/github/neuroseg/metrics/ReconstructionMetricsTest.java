package io.github.neuroseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.synth.TestTrees;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconstructionMetricsTest {
  private static final long SEED = 424242L;

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
      assertEquals(d, s.esa(), 1e-9, "ESA at distance " + d);
      assertEquals(d > 2 ? 1.0 : 0.0, s.pds(), 0, "PDS at distance " + d);
      assertEquals(d > 2 ? d : 0.0, s.dsa(), 1e-9, "DSA at distance " + d);
      assertEquals(d <= 2 ? 1.0 : 0.0, s.f1(), 0, "F1 at distance " + d);
      assertEquals(51, s.referenceNodes());
      assertEquals(51, s.predictedNodes());
    }
  }

  @Test
  void identicalTreesScorePerfectly() {
    NeuronTree t = TestTrees.walk(5, 200, 1.7, new double[] {50, 50, 50});
    var s = ReconstructionMetrics.compare(t, t);
    assertEquals(0, s.esa(), 1e-12);
    assertEquals(0, s.dsa(), 0);
    assertEquals(0, s.pds(), 0);
    assertEquals(1, s.precision(), 0);
    assertEquals(1, s.recall(), 0);
    assertEquals(1, s.f1(), 0);
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
  void matchesAllPairsBruteForceOnRandomTrees() {
    qt().withFixedSeed(SEED).withExamples(40).forAll(longs().all()).checkAssert(seed -> {
      Random rnd = new Random(seed);
      double spread = 5 + 60 * rnd.nextDouble();
      NeuronTree a = TestTrees.walk(seed, 5 + rnd.nextInt(60), 0.3 + 3 * rnd.nextDouble(),
          new double[] {20, 20, 20});
      NeuronTree b = TestTrees.random(seed + 1, 1 + rnd.nextInt(40),
          new double[] {spread, spread, spread / 3}, 1);
      double thr = 1 + 3 * rnd.nextDouble();
      double tol = 1 + 3 * rnd.nextDouble();
      var s = ReconstructionMetrics.compare(a, b, thr, tol);
      NeuronTree ra = a.resample(1.0);
      NeuronTree rb = b.resample(1.0);
      double[] dab = brute(ra, rb);
      double[] dba = brute(rb, ra);
      String msg = "seed " + SEED + " example " + seed;
      assertEquals((mean(dab) + mean(dba)) / 2, s.esa(), 1e-9, msg);
      double big = 0;
      int nbig = 0;
      int okA = 0;
      int okB = 0;
      for (double d : dab) {
        big += d > thr ? d : 0;
        nbig += d > thr ? 1 : 0;
        okA += d <= tol ? 1 : 0;
      }
      for (double d : dba) {
        big += d > thr ? d : 0;
        nbig += d > thr ? 1 : 0;
        okB += d <= tol ? 1 : 0;
      }
      assertEquals(nbig == 0 ? 0 : big / nbig, s.dsa(), 1e-9, msg);
      assertEquals((double) nbig / (dab.length + dba.length), s.pds(), 1e-12, msg);
      assertEquals((double) okA / dab.length, s.recall(), 1e-12, msg);
      assertEquals((double) okB / dba.length, s.precision(), 1e-12, msg);
    });
  }

  @Test
  void largeTreesAgreeWithBruteForceOnASample() {
    NeuronTree a = TestTrees.walk(11, 30_000, 1.0, new double[] {0, 0, 0});
    NeuronTree b = TestTrees.walk(12, 30_000, 1.0, new double[] {5, 0, 0});
    double[] d = ReconstructionMetrics.nodeDistances(a, b);
    Random rnd = new Random(SEED);
    for (int k = 0; k < 200; k++) {
      int i = rnd.nextInt(a.size());
      SwcNode n = a.nodes().get(i);
      double best = Double.POSITIVE_INFINITY;
      for (SwcNode m : b.nodes()) {
        SwcNode p = m.isRoot() ? m : b.parentOf(m);
        best = Math.min(best, pointToSegment(n, p, m));
      }
      assertEquals(best, d[i], 1e-9, "seed " + SEED + " node " + i);
    }
  }

  private static double[] brute(NeuronTree from, NeuronTree to) {
    double[] out = new double[from.size()];
    for (int i = 0; i < out.length; i++) {
      SwcNode n = from.nodes().get(i);
      double best = Double.POSITIVE_INFINITY;
      for (SwcNode m : to.nodes()) {
        SwcNode p = m.isRoot() ? m : to.parentOf(m);
        best = Math.min(best, pointToSegment(n, p, m));
      }
      out[i] = best;
    }
    return out;
  }

  /** Minimises over a fine parameter sweep, then refines: independent of the closed form. */
  private static double pointToSegment(SwcNode p, SwcNode a, SwcNode b) {
    double ex = b.x() - a.x();
    double ey = b.y() - a.y();
    double ez = b.z() - a.z();
    double len2 = ex * ex + ey * ey + ez * ez;
    if (len2 == 0) {
      return p.distanceTo(a);
    }
    // the distance is convex in t: ternary search to machine precision
    double lo = 0;
    double hi = 1;
    for (int it = 0; it < 200; it++) {
      double m1 = lo + (hi - lo) / 3;
      double m2 = hi - (hi - lo) / 3;
      if (dist(p, a, ex, ey, ez, m1) <= dist(p, a, ex, ey, ez, m2)) {
        hi = m2;
      } else {
        lo = m1;
      }
    }
    return dist(p, a, ex, ey, ez, (lo + hi) / 2);
  }

  private static double dist(SwcNode p, SwcNode a, double ex, double ey, double ez, double t) {
    double dx = p.x() - (a.x() + t * ex);
    double dy = p.y() - (a.y() + t * ey);
    double dz = p.z() - (a.z() + t * ez);
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  private static double mean(double[] d) {
    double s = 0;
    for (double v : d) {
      s += v;
    }
    return s / d.length;
  }
}
