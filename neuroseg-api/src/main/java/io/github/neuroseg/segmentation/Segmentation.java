package io.github.neuroseg.segmentation;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Map;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The result of segmenting a volume: foreground probabilities in [0, 1] and the threshold that
 * turns them into a mask.
 *
 * @param probabilities per-voxel foreground probability, same size as the input volume
 * @param threshold a voxel is foreground when its probability is {@code >= threshold}
 * @param voxelSize the input volume's voxel size
 */
public record Segmentation(
    RandomAccessibleInterval<FloatType> probabilities, double threshold, VoxelSize voxelSize) {

  public Segmentation {
    if (probabilities.numDimensions() != 3) {
      throw new InvalidInputException(
          "probabilities must be 3D, got " + probabilities.numDimensions() + " dimensions");
    }
    Checks.inRange("threshold", threshold, 0, 1);
  }

  /** The binary mask {@code probability >= threshold}, as a lazy view. */
  public RandomAccessibleInterval<BitType> mask() {
    float t = (float) threshold;
    return Converters.convert(
        probabilities, (in, out) -> out.set(in.get() >= t), new BitType());
  }

  /** The probabilities as a volume (for writing as a 32-bit TIFF). */
  public Volume probabilityVolume() {
    return new Volume(probabilities, voxelSize, "probabilities", Map.of());
  }

  /** The mask as a volume of 0/1 values. */
  public Volume maskVolume() {
    return new Volume(mask(), voxelSize, "mask", Map.of());
  }
}
