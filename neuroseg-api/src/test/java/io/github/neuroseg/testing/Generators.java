package io.github.neuroseg.testing;

import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.training.VitArchitecture;
import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * QuickTheories generators shared by the tests of several modules (this class is in the api's
 * test jar). Every value is drawn from the generator's randomness source, so a failing case
 * shrinks: trees towards fewer nodes nearer the origin, sizes towards their minimum. Generated
 * trees describe themselves as SWC text, so a shrunk failure prints the tree.
 */
public final class Generators {
  private Generators() {}

  /**
   * Random forests of {@code minNodes..maxNodes} nodes with ids 1..n, inside {@code [0,
   * extent)}: node 1 is a root, each later node is a root with odds 1 in 8 and otherwise the
   * child of an earlier node; radii in {@code [0, maxRadius)}, structure codes 1..3. Segments are
   * long (any two points of the box), so the forests test geometry rather than neurons. Shrinks
   * towards a star of few nodes around node 1 at the origin.
   */
  public static Gen<NeuronTree> forests(
      int minNodes, int maxNodes, double[] extent, double maxRadius) {
    Gen<Integer> sizes = integers().between(minNodes, maxNodes);
    Gen<Integer> rootOdds = integers().between(0, 7);
    Gen<Double> unit = doubles().between(0, 1);
    Gen<Integer> types = integers().between(1, 3);
    Gen<NeuronTree> g = in -> {
      int n = sizes.generate(in);
      List<SwcNode> nodes = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        long parent = i == 1 || rootOdds.generate(in) == 7 ? SwcNode.NO_PARENT
            : 1 + integers().between(0, i - 2).generate(in);
        nodes.add(new SwcNode(i, types.generate(in), below(unit.generate(in), extent[0]),
            below(unit.generate(in), extent[1]), below(unit.generate(in), extent[2]),
            below(unit.generate(in), maxRadius), parent));
      }
      return NeuronTree.of(nodes);
    };
    return g.describedAs(Swc::format);
  }

  /**
   * Random walks of {@code minNodes..maxNodes} nodes from {@code start}: each node steps from
   * its parent by up to {@code step} along each axis; the parent is the previous node, or with
   * odds 1 in 6 any earlier node (a branch). Ids 1..n, radius 1, structure 3. Shrinks towards
   * short straight chains.
   */
  public static Gen<NeuronTree> walks(int minNodes, int maxNodes, Gen<Double> step,
      double[] start) {
    Gen<Integer> sizes = integers().between(minNodes, maxNodes);
    Gen<Integer> branchOdds = integers().between(0, 5);
    Gen<Double> signed = doubles().between(-1, 1);
    Gen<NeuronTree> g = in -> {
      int n = sizes.generate(in);
      double s = step.generate(in);
      List<SwcNode> nodes = new ArrayList<>(n);
      for (int i = 1; i <= n; i++) {
        long parent = i == 1 ? SwcNode.NO_PARENT : i - 1;
        if (i > 2 && branchOdds.generate(in) == 5) {
          parent = 1 + integers().between(0, i - 2).generate(in);
        }
        double x = start[0];
        double y = start[1];
        double z = start[2];
        if (parent > 0) {
          SwcNode p = nodes.get((int) parent - 1);
          x = p.x();
          y = p.y();
          z = p.z();
        }
        nodes.add(new SwcNode(i, 3, x + s * signed.generate(in), y + s * signed.generate(in),
            z + s * signed.generate(in), 1, parent));
      }
      return NeuronTree.of(nodes);
    };
    return g.describedAs(Swc::format);
  }

  /**
   * Small valid ViT architectures: width {@code heads * 2..8} with 1..2 heads, 1..{@code
   * maxLayers} blocks, patch 1..4, odd input depth 1..5, tiles of 1..3 patches per side.
   */
  public static Gen<VitArchitecture> vitArchitectures(int maxLayers) {
    Gen<Integer> heads = integers().between(1, 2);
    Gen<Integer> headWidth = integers().between(2, 8);
    Gen<Integer> layers = integers().between(1, maxLayers);
    Gen<Integer> patch = integers().between(1, 4);
    Gen<Integer> halfDepth = integers().between(0, 2);
    Gen<Integer> patches = integers().between(1, 3);
    Gen<VitArchitecture> g = in -> {
      int h = heads.generate(in);
      int e = h * headWidth.generate(in);
      int l = layers.generate(in);
      int p = patch.generate(in);
      int d = 1 + 2 * halfDepth.generate(in);
      return new VitArchitecture(e, l, h, p, d, p * patches.generate(in),
          p * patches.generate(in));
    };
    return g;
  }

  /** {@code u * bound} kept below a positive {@code bound} (u may be 1 at the boundary). */
  private static double below(double u, double bound) {
    return bound > 0 ? Math.min(u * bound, Math.nextDown(bound)) : 0;
  }
}
