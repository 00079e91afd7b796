package io.github.neuroseg.synth;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A large fixed random walk for tests that need one big tree; property tests generate their
 * trees with {@link io.github.neuroseg.testing.Generators}.
 */
public final class TestTrees {
  private TestTrees() {}

  /** A random walk chain of {@code n} nodes with steps of about {@code step}, starting at p. */
  public static NeuronTree walk(long seed, int n, double step, double[] start) {
    Random rnd = new Random(seed);
    List<SwcNode> nodes = new ArrayList<>();
    double x = start[0];
    double y = start[1];
    double z = start[2];
    for (int i = 1; i <= n; i++) {
      long parent = i == 1 ? -1 : (rnd.nextInt(6) == 0 ? 1 + rnd.nextInt(i - 1) : i - 1);
      if (parent != i - 1 && parent > 0) {
        SwcNode p = nodes.get((int) parent - 1);
        x = p.x();
        y = p.y();
        z = p.z();
      }
      x += rnd.nextGaussian() * step;
      y += rnd.nextGaussian() * step;
      z += rnd.nextGaussian() * step;
      nodes.add(new SwcNode(i, 3, x, y, z, 1, parent));
    }
    return NeuronTree.of(nodes);
  }
}
