package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An APP2-style tracer (after Xiao and Peng, 2013, "APP2: automatic tracing of 3D neuron
 * morphology based on hierarchical pruning of a gray-weighted image distance-tree").
 *
 * <ol>
 *   <li>Foreground: voxels with value {@code >=} the threshold, stored sparsely.
 *   <li>Exact Euclidean distance transform (EDT) of the foreground in physical units.
 *   <li>26-connected components; those below the minimum size are ignored.
 *   <li>One seed per component at its largest EDT value (the soma centre), or the user's seeds.
 *   <li>Geodesic fast marching (Dijkstra on the 26-neighbour graph with a binary heap) from the
 *       seeds over the foreground; an edge costs its length times the mean of {@code exp(lambda
 *       (1 - s)^2)} of its two voxels, with {@code s} the normalised speed value (EDT, foreground
 *       value or intensity), so the parent pointers follow the centre lines.
 *   <li>Hierarchical pruning: the tree is decomposed into segments (each branch point continues
 *       along the child with the longest path to a leaf); segments are visited from the longest;
 *       a segment is kept when it is long enough (the prune length, and a factor times the radius
 *       of the neurite it leaves), hangs off a kept node and fewer than the coverage ratio of its
 *       nodes lie in the spheres (EDT radius) of kept segments. A kept segment's tip is pulled
 *       back to where the EDT sphere reaches the leaf, so that terminals end at the branch's end
 *       and not at the surface of its cap.
 *   <li>Gap bridging: an end of a traced tree that points at another large component across a
 *       short gap is linked to it, and linked components are traced again as one tree.
 *   <li>Somata: a root much wider than the neurites leaving it becomes one node with the soma's
 *       radius.
 *   <li>Radii from the EDT; optional smoothing and resampling.
 * </ol>
 *
 * <p>Immutable and thread-safe. Memory is proportional to the number of foreground voxels (about
 * 75 bytes each at the peak) plus 4 bytes per image row; the image itself is read once in raster
 * order and never copied.
 */
public final class App2Tracer implements Tracer {
  private static final Logger LOG = LoggerFactory.getLogger(App2Tracer.class);
  private final TracerConfig config;

  /** A tracer with the given settings (normally built through {@code NeuroSeg.tracer()}). */
  public App2Tracer(TracerConfig config) {
    this.config = config;
  }

  @Override
  public NeuronTree trace(
      RandomAccessibleInterval<? extends RealType<?>> foreground, VoxelSize voxelSize) {
    return trace(TraceInput.of(foreground, voxelSize));
  }

  @Override
  public NeuronTree trace(Segmentation segmentation) {
    return trace(TraceInput.of(segmentation));
  }

  @Override
  public NeuronTree trace(TraceInput input) {
    SpeedSource speed = config.speed();
    if (speed == SpeedSource.AUTO) {
      speed = input.intensities() != null ? SpeedSource.INTENSITY : SpeedSource.DISTANCE;
    }
    if (speed == SpeedSource.INTENSITY && input.intensities() == null) {
      throw new InvalidInputException(
          "speed source INTENSITY needs intensities: give them with TraceInput.withIntensities");
    }
    double threshold = input.threshold() != null ? input.threshold() : config.threshold();
    long start = System.nanoTime();
    ForegroundSet fg = ForegroundSet.of(input.foreground(), threshold,
        speed == SpeedSource.INTENSITY ? input.intensities() : null);
    NeuronTree tree = TraceRun.run(fg, input.voxelSize(), config, speed);
    if (LOG.isDebugEnabled()) {
      LOG.debug("traced {} foreground voxels (threshold {}) into {} nodes, {} trees in {} ms",
          fg.size(), threshold, tree.size(), tree.roots().size(),
          (System.nanoTime() - start) / 1_000_000);
    }
    return tree;
  }

  @Override
  public TracerConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "App2Tracer" + config;
  }
}
