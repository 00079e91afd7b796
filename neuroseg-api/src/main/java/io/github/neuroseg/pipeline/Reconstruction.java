package io.github.neuroseg.pipeline;

import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.volume.Volume;
import java.util.Map;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

/**
 * What the pipeline made of one volume: the segmentation, the mask that was traced (the
 * segmentation's threshold, or its post-processed mask) and the reconstruction traced from it.
 *
 * @param segmentation foreground probabilities and the threshold of the model
 * @param mask the traced mask, 1 for foreground and 0 elsewhere, same size as the volume
 * @param tree the traced reconstruction, in the volume's physical units
 */
public record Reconstruction(Segmentation segmentation,
    RandomAccessibleInterval<? extends RealType<?>> mask, NeuronTree tree) {

  /** The traced mask as a volume (for writing as an 8-bit TIFF). */
  public Volume maskVolume() {
    return new Volume(mask, segmentation.voxelSize(), "mask", Map.of());
  }
}
