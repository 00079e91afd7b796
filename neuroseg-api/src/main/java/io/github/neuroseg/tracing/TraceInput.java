package io.github.neuroseg.tracing;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link Tracer} reads: the foreground (a binary mask or a probability map), its
 * voxel size, optionally the original intensities and a threshold overriding the tracer's.
 *
 * @param foreground a 3D image {@code x, y, z}; a voxel is foreground when its value is {@code >=}
 *     the threshold
 * @param voxelSize physical voxel size; the output tree is in these units
 * @param intensities the original image with the foreground's dimensions, or {@code null}
 * @param threshold foreground threshold overriding {@link TracerConfig#threshold()}, or {@code
 *     null}
 */
public record TraceInput(
    RandomAccessibleInterval<? extends RealType<?>> foreground,
    VoxelSize voxelSize,
    @Nullable RandomAccessibleInterval<? extends RealType<?>> intensities,
    @Nullable Double threshold) {

  /**
   * Validates dimensions.
   *
   * @throws InvalidInputException when an image is not 3D or the intensities' size differs
   */
  public TraceInput {
    if (foreground.numDimensions() != 3) {
      throw new InvalidInputException(
          "the foreground must be 3D (x, y, z), got " + foreground.numDimensions()
              + " dimensions");
    }
    if (intensities != null
        && !Arrays.equals(foreground.dimensionsAsLongArray(), intensities.dimensionsAsLongArray())) {
      throw new InvalidInputException(
          "intensities must have the foreground's dimensions "
              + Arrays.toString(foreground.dimensionsAsLongArray()) + ", got "
              + Arrays.toString(intensities.dimensionsAsLongArray()));
    }
    if (threshold != null && !Double.isFinite(threshold)) {
      throw new InvalidInputException("threshold must be finite, got " + threshold);
    }
  }

  /** A mask or probability map alone, thresholded with the tracer's threshold. */
  public static TraceInput of(
      RandomAccessibleInterval<? extends RealType<?>> foreground, VoxelSize voxelSize) {
    return new TraceInput(foreground, voxelSize, null, null);
  }

  /** A segmentation's probabilities and threshold. */
  public static TraceInput of(Segmentation segmentation) {
    return new TraceInput(
        segmentation.probabilities(), segmentation.voxelSize(), null, segmentation.threshold());
  }

  /** A segmentation with the volume it was computed from (the intensities). */
  public static TraceInput of(Segmentation segmentation, Volume volume) {
    return new TraceInput(segmentation.probabilities(), segmentation.voxelSize(), volume.image(),
        segmentation.threshold());
  }

  /** This input with the original intensities. */
  public TraceInput withIntensities(RandomAccessibleInterval<? extends RealType<?>> image) {
    return new TraceInput(foreground, voxelSize, image, threshold);
  }

  /** This input with a threshold overriding the tracer's. */
  public TraceInput withThreshold(double value) {
    return new TraceInput(foreground, voxelSize, intensities, value);
  }
}
