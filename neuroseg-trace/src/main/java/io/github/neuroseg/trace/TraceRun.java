package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;

/**
 * One trace of one foreground set, stage by stage: distance transform, components and seeds,
 * fast marching, hierarchical pruning (and once more from moved seeds), output.
 */
final class TraceRun {
  private TraceRun() {}

  static NeuronTree run(ForegroundSet fg, VoxelSize vs, TracerConfig config, SpeedSource speed) {
    if (fg.size() == 0) {
      if (!config.seeds().isEmpty()) {
        throw new InvalidInputException("seeds were given but the foreground is empty");
      }
      return NeuronTree.empty();
    }
    VoxelGrid g = VoxelGrid.of(fg, vs);
    boolean automatic = config.seeds().isEmpty();
    int[] seeds = automatic ? ComponentSeeds.automatic(g, config.minComponentSize())
        : ComponentSeeds.user(fg, config.seeds());
    if (seeds.length == 0) {
      return NeuronTree.empty();
    }
    float[] cost = FastMarching.costs(g, speed, config.speedContrast());
    HierarchicalPruning pruning = new HierarchicalPruning(
        g, config.pruneLength(), config.coverageRatio(), config.sphereScale());
    MarchedTree tree = FastMarching.march(g, seeds, cost);
    HierarchicalPruning.Result pruned = pruning.prune(tree);
    // a seed inside a neurite would lose the stub behind it: trace again from the far end
    if (automatic && ComponentSeeds.moveNeuriteSeeds(seeds, g, tree, pruned)) {
      tree = FastMarching.march(g, seeds, cost);
      pruned = pruning.prune(tree);
    }
    return TreeOutput.write(g, tree, pruned.kept(), config);
  }
}
