package io.github.neuroseg.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class NeuronGeneratorTest {
  private static final long SEED = 99_001L;

  @Test
  void deterministicPerSeed() {
    NeuronGenerator g = NeuronGenerator.newBuilder().bounds(96, 80, 24).seed(3).build();
    assertEquals(g.generate(), g.generate());
    assertEquals(g.generate(), NeuronGenerator.newBuilder().bounds(96, 80, 24).build()
        .generate(3));
    assertNotEquals(g.generate(3), g.generate(4));
  }

  /** Bounds around the default test volume and a tree seed. */
  record Case(int width, int height, int depth, long seed) {}

  static Gen<Case> cases() {
    return integers().between(100, 140).zip(integers().between(84, 116),
        integers().between(26, 34), longs().all(), Case::new);
  }

  @Test
  void neuronsAreInsideAndShapedLikeNeurons() {
    qt().withFixedSeed(SEED).withExamples(20).forAll(cases()).checkAssert(c -> {
      NeuronTree t = NeuronGenerator.newBuilder().bounds(c.width(), c.height(), c.depth())
          .build().generate(c.seed());
      String msg = "seed " + SEED + " " + c;
      assertEquals(1, t.roots().size(), msg);
      SwcNode soma = t.roots().get(0);
      assertEquals(1, soma.structure(), msg);
      int branchPoints = 0;
      boolean axon = false;
      boolean dendrite = false;
      for (SwcNode n : t.nodes()) {
        assertTrue(n.x() >= 0 && n.x() <= c.width() - 1 && n.y() >= 0
            && n.y() <= c.height() - 1 && n.z() >= 0 && n.z() <= c.depth() - 1,
            msg + " node outside: " + n);
        if (n != soma) {
          assertTrue(n.radius() < soma.radius(), msg);
          assertTrue(n.structure() == 2 || n.structure() == 3, msg);
          SwcNode p = t.parentOf(n);
          if (p != soma) {
            assertTrue(n.radius() <= p.radius() + 1e-12, msg + " radius grows at " + n);
          }
        }
        axon |= n.structure() == 2;
        dendrite |= n.structure() == 3;
        if (n != soma && t.children(n.id()).size() >= 2) {
          branchPoints++;
        }
      }
      assertTrue(axon && dendrite, msg);
      assertTrue(t.roots().size() == 1 && t.children(soma.id()).size() >= 3, msg);
      assertTrue(t.size() > 50, msg + " only " + t.size() + " nodes");
      assertTrue(t.pathLength() > 60, msg + " path length " + t.pathLength());
    });
  }

  @Test
  void branchesAndTortuousPaths() {
    NeuronTree t = NeuronGenerator.newBuilder().bounds(200, 200, 40).branchProbability(0.05)
        .tortuosity(0.3).seed(11).build().generate();
    int branchPoints = 0;
    for (SwcNode n : t.nodes()) {
      if (!n.isRoot() && t.children(n.id()).size() >= 2) {
        branchPoints++;
      }
    }
    assertTrue(branchPoints >= 3, "branch points: " + branchPoints);
    // along a primary neurite the path is longer than the straight line between its ends
    SwcNode first = t.children(t.roots().get(0).id()).get(0);
    SwcNode cur = first;
    double path = 0;
    for (int i = 0; i < 20 && !t.children(cur.id()).isEmpty(); i++) {
      SwcNode next = t.children(cur.id()).get(0);
      path += cur.distanceTo(next);
      cur = next;
    }
    assertTrue(path > 1.02 * first.distanceTo(cur), "path " + path + " chord "
        + first.distanceTo(cur));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(InvalidInputException.class,
        () -> NeuronGenerator.newBuilder().bounds(0, 10, 10));
    assertThrows(InvalidInputException.class, () -> NeuronGenerator.newBuilder().taper(1.5));
    assertThrows(InvalidInputException.class, () -> NeuronGenerator.newBuilder().neurites(3, 2));
    assertThrows(InvalidInputException.class, () -> NeuronGenerator.newBuilder().step(-1));
  }
}
