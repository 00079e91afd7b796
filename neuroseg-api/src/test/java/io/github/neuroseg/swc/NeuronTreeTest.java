package io.github.neuroseg.swc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.testing.Generators;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class NeuronTreeTest {
  private static final long SEED = 0x7AEE_2026L;

  /**
   * Two trees. Tree A: 1 (0,0,0) -> 2 (3,4,0) -> 3 (3,4,12), and 2 -> 4 (3,0,0). Tree B: 10
   * (10,10,10) -> 11 (11,10,10). Listed out of order on purpose.
   */
  private static NeuronTree sample() {
    return NeuronTree.of(List.of(
        new SwcNode(3, 3, 3, 4, 12, 1, 2),
        new SwcNode(1, 1, 0, 0, 0, 2, -1),
        new SwcNode(11, 2, 11, 10, 10, 0.5, 10),
        new SwcNode(2, 3, 3, 4, 0, 1, 1),
        new SwcNode(10, 1, 10, 10, 10, 1, -3),
        new SwcNode(4, 3, 3, 0, 0, 1, 2)), List.of("c"));
  }

  @Test
  void structure() {
    NeuronTree t = sample();
    assertEquals(6, t.size());
    assertEquals(List.of(1L, 10L), ids(t.roots()));
    assertEquals(List.of(3L, 11L, 4L), ids(t.leaves()));
    assertEquals(List.of(3L, 4L), ids(t.children(2)));
    assertEquals(List.of(), ids(t.children(3)));
    assertEquals(2L, t.parentOf(t.node(3)).id());
    assertNull(t.parentOf(t.node(10)));
    assertNull(t.node(99));
    assertThrows(InvalidInputException.class, () -> t.children(99));
    assertEquals(List.of("c"), t.comments());
    assertTrue(NeuronTree.empty().isEmpty());
  }

  @Test
  void pathLengthAndBox() {
    NeuronTree t = sample();
    // edges: 1-2 = 5, 2-3 = 12, 2-4 = 4, 10-11 = 1
    assertEquals(22.0, t.pathLength(), 1e-12);
    assertArrayEquals(new double[] {0, 0, 0, 11, 10, 12}, t.boundingBox());
    assertThrows(InvalidInputException.class, () -> NeuronTree.empty().boundingBox());
    assertEquals(0.0, NeuronTree.empty().pathLength());
  }

  @Test
  void scaleAndVoxelConversion() {
    NeuronTree t = sample();
    NeuronTree s = t.scale(2, 4, 0.5);
    SwcNode n = s.node(3);
    assertEquals(6, n.x());
    assertEquals(16, n.y());
    assertEquals(6, n.z());
    assertEquals(3.0, n.radius(), 1e-12); // radius * (2 + 4) / 2
    assertEquals(t.nodes().stream().map(SwcNode::parent).toList(),
        s.nodes().stream().map(SwcNode::parent).toList());
    VoxelSize v = VoxelSize.microns(0.25, 0.5, 2);
    NeuronTree phys = t.toPhysical(v);
    assertEquals(0.75, phys.node(3).x());
    assertEquals(2.0, phys.node(3).y());
    assertEquals(24.0, phys.node(3).z());
    NeuronTree back = phys.toVoxels(v);
    for (SwcNode a : t.nodes()) {
      SwcNode b = back.node(a.id());
      assertEquals(a.x(), b.x(), 1e-12);
      assertEquals(a.y(), b.y(), 1e-12);
      assertEquals(a.z(), b.z(), 1e-12);
      assertEquals(a.radius(), b.radius(), 1e-12);
    }
    assertThrows(InvalidInputException.class, () -> t.scale(0, 1, 1));
    assertThrows(InvalidInputException.class, () -> t.scale(1, Double.NaN, 1));
    NeuronTree moved = t.translate(1, 2, 3);
    assertEquals(4, moved.node(3).x());
    assertEquals(6, moved.node(3).y());
    assertEquals(15, moved.node(3).z());
  }

  @Test
  void cropByHand() {
    // sample(): 1 (0,0,0) -> 2 (3,4,0) -> 3 (3,4,12), 2 -> 4 (3,0,0); 10 (10,10,10) -> 11
    NeuronTree c = sample().crop(new double[] {1, -1, -1, 11, 11, 11});
    assertEquals(List.of(11L, 2L, 10L, 4L), ids(c.nodes()), "inside, in the original order");
    assertEquals(List.of(2L, 10L), ids(c.roots()), "2 lost its parent 1 and becomes a root");
    assertEquals(List.of(4L), ids(c.children(2)), "3 (z = 12) is outside");
    assertEquals(sample().node(11), c.node(11), "kept nodes are unchanged");
    assertEquals(List.of("c"), c.comments());
    NeuronTree t = sample();
    assertEquals(t, t.crop(t.boundingBox()), "bounds are included");
    assertTrue(t.crop(new double[] {50, 50, 50, 60, 60, 60}).isEmpty());
    assertTrue(NeuronTree.empty().crop(new double[] {0, 0, 0, 1, 1, 1}).isEmpty());
    assertThrows(InvalidInputException.class, () -> t.crop(new double[] {0, 0, 0, 1, 1}));
    assertThrows(InvalidInputException.class, () -> t.crop(new double[] {2, 0, 0, 1, 1, 1}));
    assertThrows(InvalidInputException.class,
        () -> t.crop(new double[] {0, Double.NaN, 0, 1, 1, 1}));
  }

  /**
   * Random forests and boxes: the crop holds exactly the nodes inside, unchanged except that a
   * node whose parent is outside becomes a root; parent links inside the box are all kept.
   */
  @Test
  void cropKeepsExactlyTheNodesInside() {
    Gen<Double> corners = doubles().between(-10, 60);
    Gen<double[]> boxes = in -> {
      double[] box = new double[6];
      for (int d = 0; d < 3; d++) {
        double a = corners.generate(in);
        double b = corners.generate(in);
        box[d] = Math.min(a, b);
        box[d + 3] = Math.max(a, b);
      }
      return box;
    };
    qt().withFixedSeed(SEED + 7).withExamples(200)
        .forAll(Generators.forests(1, 79, new double[] {50, 40, 30}, 3),
            boxes.describedAs(java.util.Arrays::toString))
        .checkAssert((t, box) -> {
          String msg = "SEED=" + SEED + "+7";
          NeuronTree c = t.crop(box);
          Set<Long> expected = new HashSet<>();
          for (SwcNode n : t.nodes()) {
            if (n.x() >= box[0] && n.x() <= box[3] && n.y() >= box[1] && n.y() <= box[4]
                && n.z() >= box[2] && n.z() <= box[5]) {
              expected.add(n.id());
            }
          }
          assertEquals(expected, new HashSet<>(ids(c.nodes())), msg);
          for (SwcNode k : c.nodes()) {
            SwcNode o = t.node(k.id());
            assertEquals(o.x(), k.x(), msg);
            assertEquals(o.y(), k.y(), msg);
            assertEquals(o.z(), k.z(), msg);
            assertEquals(o.radius(), k.radius(), msg);
            boolean parentInside = !o.isRoot() && expected.contains(o.parent());
            assertEquals(parentInside ? o.parent() : SwcNode.NO_PARENT, k.parent(), msg);
          }
        });
  }

  @Test
  void invalidTreesAreRejected() {
    SwcNode root = new SwcNode(1, 1, 0, 0, 0, 1, -1);
    InvalidInputException dup = assertThrows(InvalidInputException.class,
        () -> NeuronTree.of(List.of(root, new SwcNode(1, 1, 0, 0, 0, 1, -1))));
    assertTrue(dup.getMessage().contains("duplicate node id 1"), dup.getMessage());
    InvalidInputException missing = assertThrows(InvalidInputException.class,
        () -> NeuronTree.of(List.of(root, new SwcNode(2, 1, 0, 0, 0, 1, 7))));
    assertTrue(missing.getMessage().contains("parent 7"), missing.getMessage());
    InvalidInputException cycle = assertThrows(InvalidInputException.class,
        () -> NeuronTree.of(List.of(root, new SwcNode(2, 1, 0, 0, 0, 1, 3),
            new SwcNode(3, 1, 0, 0, 0, 1, 2))));
    assertTrue(cycle.getMessage().contains("cycle"), cycle.getMessage());
    assertThrows(InvalidInputException.class, () -> new SwcNode(2, 1, 0, 0, 0, 1, 2));
    assertThrows(InvalidInputException.class, () -> new SwcNode(2, 1, Double.NaN, 0, 0, 1, 1));
    assertThrows(InvalidInputException.class, () -> new SwcNode(2, 1, 0, 0, 0, -1, 1));
    assertThrows(InvalidInputException.class, () -> sample().resample(0));
    assertThrows(InvalidInputException.class, () -> sample().resample(Double.NaN));
  }

  @Test
  void resampleStraightSegmentByHand() {
    // one straight edge of length 10 resampled at step 2.5: 4 pieces, nodes every 2.5
    NeuronTree t = NeuronTree.of(List.of(new SwcNode(5, 1, 0, 0, 0, 1, -1),
        new SwcNode(9, 3, 10, 0, 0, 3, 5)));
    NeuronTree r = t.resample(2.5);
    assertEquals(5, r.size());
    for (int k = 0; k < 5; k++) {
      SwcNode n = r.nodes().get(k);
      assertEquals(k + 1, n.id());
      assertEquals(2.5 * k, n.x(), 1e-12);
      assertEquals(1 + 0.5 * k, n.radius(), 1e-12); // radius interpolated 1 -> 3
      assertEquals(k == 0 ? -1 : k, n.parent());
    }
    assertEquals(10.0, r.pathLength(), 1e-12);
  }

  /**
   * Random forests with edges 50..100 steps long in random directions. Resampling keeps roots,
   * branch points and tips where they were; path length can only shrink (chords) and by at most
   * 1.5 steps per removed bend (a chord spans at most 1.5 steps of arc, see below); consecutive
   * nodes are at most 1.5 steps apart (a run of length L is cut into round(L/step) equal pieces,
   * and L / round(L/step) < 1.5 step).
   */
  @Test
  void resamplePreservesTopologyAndLength() {
    qt().withFixedSeed(SEED).withExamples(150).forAll(steppedTrees()).checkAssert(c -> {
      double step = c.step();
      NeuronTree t = c.tree();
      NeuronTree s = t.resample(step);
      String msg = "SEED=" + SEED + " step=" + step;
      assertEquals(t.roots().size(), s.roots().size(), msg);
      assertEquals(countBranches(t), countBranches(s), msg);
      assertEquals(t.leaves().size(), s.leaves().size(), msg);
      assertEquals(keyPoints(t), keyPoints(s), msg);
      int bends = 0;
      for (SwcNode n : t.nodes()) {
        if (!n.isRoot() && t.children(n.id()).size() == 1) {
          bends++;
        }
      }
      double before = t.pathLength();
      double after = s.pathLength();
      assertTrue(after <= before * (1 + 1e-9), msg + " " + after + " > " + before);
      assertTrue(after >= before - 1.5 * step * bends - 1e-9 * before, msg);
      assertTrue(after >= 0.97 * before, msg + " lost more than 3%: " + after + " / " + before);
      for (SwcNode n : s.nodes()) {
        SwcNode p = s.parentOf(n);
        if (p != null) {
          assertTrue(n.distanceTo(p) <= 1.5 * step * (1 + 1e-9),
              msg + " spacing " + n.distanceTo(p));
        }
      }
    });
  }

  /** A resampling step and a tree whose edges are 50..100 steps long. */
  record SteppedTree(double step, NeuronTree tree) {
    @Override
    public String toString() {
      return "step " + step + "\n" + Swc.format(tree);
    }
  }

  /**
   * Trees of 1..39 nodes for a step in [0.1, 3): roots with odds 1 in 15 (anywhere in +-100),
   * otherwise a node extends the previous one (long unbranched runs) or, with odds 1 in 4, any
   * earlier node, by 50..100 steps in a generated direction. Shrinks towards short straight
   * chains.
   */
  static Gen<SteppedTree> steppedTrees() {
    Gen<Double> steps = doubles().between(0.1, 3);
    Gen<Integer> sizes = integers().between(1, 39);
    Gen<Integer> rootOdds = integers().between(0, 14);
    Gen<Integer> branchOdds = integers().between(0, 3);
    Gen<Double> coords = doubles().between(-100, 100);
    Gen<Double> lengths = doubles().between(50, 100);
    Gen<Double> thetas = doubles().between(0, Math.PI);
    Gen<Double> phis = doubles().between(0, 2 * Math.PI);
    Gen<Double> radii = doubles().between(0, 3);
    return in -> {
      double step = Math.min(steps.generate(in), Math.nextDown(3.0));
      int n = sizes.generate(in);
      List<SwcNode> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (i == 0 || rootOdds.generate(in) == 14) {
          nodes.add(new SwcNode(i + 1, 1, coords.generate(in), coords.generate(in),
              coords.generate(in), 2, -1));
          continue;
        }
        SwcNode p = branchOdds.generate(in) == 3
            ? nodes.get(integers().between(0, i - 1).generate(in)) : nodes.get(i - 1);
        double len = step * lengths.generate(in);
        double theta = thetas.generate(in);
        double phi = phis.generate(in);
        nodes.add(new SwcNode(i + 1, 3, p.x() + len * Math.sin(theta) * Math.cos(phi),
            p.y() + len * Math.sin(theta) * Math.sin(phi), p.z() + len * Math.cos(theta),
            radii.generate(in), p.id()));
      }
      return new SteppedTree(step, NeuronTree.of(nodes));
    };
  }

  private static int countBranches(NeuronTree t) {
    int c = 0;
    for (SwcNode n : t.nodes()) {
      if (t.children(n.id()).size() >= 2) {
        c++;
      }
    }
    return c;
  }

  /** Positions of roots, branch points and tips. */
  private static Set<List<Double>> keyPoints(NeuronTree t) {
    Set<List<Double>> out = new HashSet<>();
    for (SwcNode n : t.nodes()) {
      if (n.isRoot() || t.children(n.id()).size() != 1) {
        out.add(List.of(n.x(), n.y(), n.z()));
      }
    }
    return out;
  }

  private static List<Long> ids(List<SwcNode> nodes) {
    return nodes.stream().map(SwcNode::id).toList();
  }
}
