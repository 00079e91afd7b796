package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One trace of one foreground set, stage by stage: distance transform, components and seeds,
 * fast marching, hierarchical pruning (once more from moved seeds), gap bridging (and the
 * linked pieces traced again as one tree), somata, output.
 */
final class TraceRun {
  private final VoxelGrid g;
  private final TracerConfig config;
  private final float[] cost;
  private final HierarchicalPruning pruning;
  private MarchedTree tree;
  private HierarchicalPruning.Result pruned;

  private TraceRun(VoxelGrid g, TracerConfig config, SpeedSource speed,
      ComponentTracing.@Nullable Whole whole) {
    this.g = g;
    this.config = config;
    this.cost = FastMarching.costs(g, speed, config.speedContrast(), whole);
    this.pruning = new HierarchicalPruning(g, config.pruneLength(), config.pruneRadiusFactor(),
        config.coverageRatio(), config.sphereScale());
    this.tree = new MarchedTree(new int[0], new int[0], 0);
    this.pruned = new HierarchicalPruning.Result(new byte[0], Map.of());
  }

  static NeuronTree run(ForegroundSet fg, VoxelSize vs, TracerConfig config, SpeedSource speed) {
    return run(fg, vs, config, speed, new long[3], null);
  }

  /**
   * A trace of {@code fg}, which may be a piece cut out of a larger foreground.
   *
   * @param origin where the piece's voxel (0, 0, 0) lies in the whole volume
   * @param whole the whole foreground's statistics, or {@code null} when {@code fg} is whole
   */
  static NeuronTree run(ForegroundSet fg, VoxelSize vs, TracerConfig config, SpeedSource speed,
      long[] origin, ComponentTracing.@Nullable Whole whole) {
    if (fg.size() == 0) {
      if (!config.seeds().isEmpty()) {
        throw new InvalidInputException("seeds were given but the foreground is empty");
      }
      return NeuronTree.empty();
    }
    VoxelGrid g = VoxelGrid.of(fg, vs, origin);
    TraceRun r = new TraceRun(g, config, speed, whole);
    boolean automatic = config.seeds().isEmpty();
    int minSize = config.minComponentSize();
    int[] user = automatic ? new int[0] : ComponentSeeds.user(fg, config.seeds());
    if (!automatic && config.bridgeGap() == 0) {
      r.trace(user, new boolean[user.length], null); // the user's seeds stay where they are
    } else {
      ComponentSeeds.Components comps = ComponentSeeds.components(g);
      // with the user's seeds, the other components are traced too, for their ends
      int[] seeds = automatic ? ComponentSeeds.automatic(comps, minSize)
          : withUnseeded(user, comps, minSize);
      if (seeds.length == 0) {
        return NeuronTree.empty();
      }
      r.trace(seeds, automatic ? null : new boolean[seeds.length], null);
      if (config.bridgeGap() > 0 && seeds.length > 1) { // a lone piece has nothing to bridge to
        GapBridges.Links links = new GapBridges(g, comps, config.bridgeGap(),
            config.bridgeAngle(), minSize).find(r.tree, r.pruned.kept(),
            Math.exp(config.speedContrast()));
        if (!automatic) {
          r.trace(user, new boolean[user.length], links);
        } else if (links.count() > 0) {
          boolean[] merged = new boolean[seeds.length];
          r.trace(joinedSeeds(seeds, g.edt, comps, links, minSize, merged), merged, links);
        }
      }
    }
    Map<Integer, Double> somata =
        Somata.find(g, r.tree, r.pruned.kept(), config.somaRatio());
    return TreeOutput.write(g, r.tree, r.pruned.kept(), somata, config);
  }

  /**
   * Marches and prunes; a seed inside a neurite would lose the stub behind it, so the eligible
   * seeds that lie in one move to the far end and the trace runs again.
   *
   * @param eligible which seeds may move; all when {@code null}
   */
  private void trace(int[] seeds, boolean @Nullable [] eligible,
      GapBridges.@Nullable Links links) {
    tree = FastMarching.march(g, seeds, cost, links);
    pruned = pruning.prune(tree);
    if (ComponentSeeds.moveNeuriteSeeds(seeds, eligible, g, tree, pruned)) {
      tree = FastMarching.march(g, seeds, cost, links);
      pruned = pruning.prune(tree);
    }
  }

  /**
   * The user's seeds and an automatic seed in every other large component: with bridging, the
   * ends of those components are needed to find the bridges to them.
   */
  private static int[] withUnseeded(int[] user, ComponentSeeds.Components comps, int minSize) {
    boolean[] seeded = new boolean[comps.count()];
    for (int s : user) {
      seeded[comps.label()[s]] = true;
    }
    ForegroundSet.IntList out = new ForegroundSet.IntList();
    for (int s : user) {
      out.add(s);
    }
    for (int k = 0; k < comps.count(); k++) {
      if (!seeded[k] && comps.size()[k] >= minSize) {
        out.add(comps.best()[k]);
      }
    }
    return out.toArray();
  }

  /**
   * One seed per group of bridged components. A component that no bridge touches keeps its seed
   * as traced; a group gets its voxel farthest from the background among its large components,
   * and may move ({@code merged} marks those seeds).
   */
  private static int[] joinedSeeds(int[] seeds, float[] edt, ComponentSeeds.Components comps,
      GapBridges.Links links, int minSize, boolean[] merged) {
    int[] up = new int[comps.count()];
    for (int k = 0; k < up.length; k++) {
      up[k] = k;
    }
    int[] label = comps.label();
    int[] pairs = links.pairs();
    for (int k = 0; k < pairs.length; k += 2) {
      int a = find(up, label[pairs[k]]);
      int b = find(up, label[pairs[k + 1]]);
      if (a != b) {
        up[Math.max(a, b)] = Math.min(a, b);
      }
    }
    int[] members = new int[comps.count()];
    int[] best = new int[comps.count()];
    Arrays.fill(best, -1);
    for (int k = 0; k < comps.count(); k++) {
      int root = find(up, k);
      members[root]++;
      if (comps.size()[k] >= minSize) {
        int cand = comps.best()[k];
        int cur = best[root];
        if (cur < 0 || edt[cand] > edt[cur] || edt[cand] == edt[cur] && cand < cur) {
          best[root] = cand;
        }
      }
    }
    ForegroundSet.IntList out = new ForegroundSet.IntList();
    boolean[] done = new boolean[comps.count()];
    int m = 0;
    for (int s : seeds) {
      int root = find(up, label[s]);
      if (members[root] == 1) {
        merged[m++] = false;
        out.add(s);
      } else if (!done[root]) {
        done[root] = true;
        merged[m++] = true;
        out.add(best[root]);
      }
    }
    return Arrays.copyOf(out.toArray(), m);
  }

  private static int find(int[] up, int k) {
    while (up[k] != k) {
      up[k] = up[up[k]];
      k = up[k];
    }
    return k;
  }
}
