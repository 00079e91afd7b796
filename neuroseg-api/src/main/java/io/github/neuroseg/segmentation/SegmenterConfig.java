package io.github.neuroseg.segmentation;

import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.Normalization;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a {@link Segmenter}. Built by {@link SegmenterBuilder}; values left
 * {@code null} are taken from the model's metadata.
 *
 * @param model the ONNX model
 * @param device where inference runs
 * @param strictDevice if {@code true}, an unavailable device is an error instead of a CPU fallback
 * @param tileWidth tile width in voxels, or {@code null} for the model's
 * @param tileHeight tile height in voxels, or {@code null} for the model's
 * @param overlap overlap between neighbouring tiles in voxels, or {@code null} for a quarter tile
 * @param blending tile weighting when stitching
 * @param batchSize tiles per inference call, {@code >= 1}
 * @param threads threads for the inference engine's intra-op pool, at most the available
 *     processors; 0 lets the engine choose
 * @param normalization intensity normalisation, or {@code null} for the model's
 * @param threshold mask threshold in [0, 1], or {@code null} for the model's calibrated one
 * @param testTimeAugmentation whether every tile is also predicted flipped in x, in y and in both,
 *     the four probabilities averaged (un-flipped) before stitching: four times the work, a
 *     smoother and more symmetric map; deterministic like the rest
 * @param progress receives per-batch progress
 */
public record SegmenterConfig(
    ModelSource model,
    Device device,
    boolean strictDevice,
    @Nullable Integer tileWidth,
    @Nullable Integer tileHeight,
    @Nullable Integer overlap,
    Blending blending,
    int batchSize,
    int threads,
    @Nullable Normalization normalization,
    @Nullable Double threshold,
    boolean testTimeAugmentation,
    ProgressListener progress) {

  /**
   * The overlap used when none is given: a quarter of the smaller tile side, the same for
   * inference and for training validation.
   */
  public static int defaultOverlap(int tileWidth, int tileHeight) {
    return Math.min(tileWidth, tileHeight) / 4;
  }

  /**
   * Validates the settings.
   *
   * @throws InvalidInputException naming the value out of range
   */
  public SegmenterConfig {
    if (tileWidth != null && tileWidth <= 0 || tileHeight != null && tileHeight <= 0) {
      throw new InvalidInputException(
          "tile size must be > 0, got " + tileWidth + " x " + tileHeight);
    }
    if (overlap != null) {
      Checks.atLeast("overlap", overlap, 0);
    }
    Checks.atLeast("batch size", batchSize, 1);
    if (threads < 0) {
      throw new InvalidInputException("threads must be >= 0 (0 = engine default), got " + threads);
    }
    // more threads than processors only contend: 256 threads ran 80 times slower than 2
    int processors = Runtime.getRuntime().availableProcessors();
    if (threads > processors) {
      throw new InvalidInputException("threads must be at most the " + processors
          + " available processors (0 = engine default), got " + threads);
    }
    if (threshold != null) {
      Checks.inRange("threshold", threshold, 0, 1);
    }
  }
}
