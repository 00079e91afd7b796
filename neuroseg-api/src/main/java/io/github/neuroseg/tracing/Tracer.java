package io.github.neuroseg.tracing;

import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/**
 * Traces neuron foreground into an SWC forest. Build one with {@link
 * io.github.neuroseg.NeuroSeg#tracer()}. A tracer is immutable and thread-safe: several threads
 * may trace at once.
 *
 * <p>Output coordinates and radii are physical units of the voxel size: the centre of voxel
 * {@code (i, j, k)} is at {@code (i * vx, j * vy, k * vz)} (the convention of {@link
 * io.github.neuroseg.synth.GroundTruth}). Every connected foreground component of at least
 * {@link TracerConfig#minComponentSize()} voxels becomes one tree whose root (structure 1, soma)
 * is its seed. A foreground without such a component gives an empty tree.
 */
public interface Tracer {

  /**
   * Traces a binary mask or probability map with the tracer's threshold.
   *
   * @param foreground 3D image {@code x, y, z}; foreground where the value is {@code >=} the
   *     threshold
   * @param voxelSize physical voxel size
   * @throws io.github.neuroseg.InvalidInputException for a non-3D image or a seed outside the
   *     foreground
   */
  NeuronTree trace(RandomAccessibleInterval<? extends RealType<?>> foreground, VoxelSize voxelSize);

  /**
   * Traces an input that may carry intensities and its own threshold.
   *
   * @throws io.github.neuroseg.InvalidInputException for a seed outside the foreground, or a
   *     speed source that needs intensities when none are given
   */
  NeuronTree trace(TraceInput input);

  /** Traces a segmentation's probabilities with the segmentation's threshold. */
  NeuronTree trace(Segmentation segmentation);

  /** The settings this tracer runs with. */
  TracerConfig config();
}
