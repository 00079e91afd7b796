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
 *     processors; 0 for {@link #defaultThreads(int)}
 * @param workers threads reading, normalising and tiling the input ahead of the engine; 0 for
 *     {@link #defaultWorkers(int)}
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
    int workers,
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
   * The inference engine's intra-op threads used when none are given ({@code threads == 0}): one
   * thread on machines of up to two cores, else one less than the cores. The core left over
   * runs the workers that prepare the next batches and the thread that stitches the finished
   * ones, so that they do not push an engine thread off its core: on a 2-core machine one
   * intra-op thread was measured to run a ViT-Tiny-sized model twice as fast as two
   * ({@code scripts/bench-inference} prints the sweep behind this choice on the machine it runs
   * on).
   *
   * @param cores available processors, {@code >= 1}
   */
  public static int defaultThreads(int cores) {
    return cores <= 2 ? 1 : cores - 1;
  }

  /**
   * The workers used when none are given ({@code workers == 0}): one per eight cores, at least
   * one and at most four. Preparing a batch costs a few percent of running it, so one worker
   * keeps up with the engine on small machines.
   *
   * @param cores available processors, {@code >= 1}
   */
  public static int defaultWorkers(int cores) {
    return Math.max(1, Math.min(4, cores / 8));
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
      throw new InvalidInputException("threads must be >= 0 (0 = the default), got " + threads);
    }
    if (workers < 0) {
      throw new InvalidInputException("workers must be >= 0 (0 = the default), got " + workers);
    }
    // more threads than processors only contend: 256 threads ran 80 times slower than 2
    int processors = Runtime.getRuntime().availableProcessors();
    if (threads > processors) {
      throw new InvalidInputException("threads must be at most the " + processors
          + " available processors (0 = the default), got " + threads);
    }
    if (threshold != null) {
      Checks.inRange("threshold", threshold, 0, 1);
    }
  }
}
