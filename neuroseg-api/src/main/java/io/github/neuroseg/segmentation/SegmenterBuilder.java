package io.github.neuroseg.segmentation;

import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.spi.Providers;
import io.github.neuroseg.spi.SegmenterProvider;
import io.github.neuroseg.volume.Normalization;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Fluent builder of {@link Segmenter}s. Not thread-safe; the segmenters it builds are.
 *
 * <pre>{@code
 * try (Segmenter seg = NeuroSeg.segmenter()
 *     .model(Path.of("neuron-vit3d.onnx"))
 *     .device(Device.cuda(0))
 *     .overlap(32)
 *     .build()) {
 *   Segmentation s = seg.segment(volume);
 * }
 * }</pre>
 */
public final class SegmenterBuilder {
  private @Nullable ModelSource model;
  private Device device = Device.cpu();
  private boolean strictDevice;
  private @Nullable Integer tileWidth;
  private @Nullable Integer tileHeight;
  private @Nullable Integer overlap;
  private Blending blending = Blending.GAUSSIAN;
  private int batchSize = 8;
  private int threads;
  private int workers;
  private @Nullable Normalization normalization;
  private @Nullable Double threshold;
  private boolean testTimeAugmentation;
  private ProgressListener progress = ProgressListener.NONE;

  /** Use {@link io.github.neuroseg.NeuroSeg#segmenter()}. */
  public SegmenterBuilder() {}

  /** The ONNX model file (required, or {@link #model(ModelSource)}). */
  public SegmenterBuilder model(Path path) {
    this.model = ModelSource.file(path);
    return this;
  }

  /** The ONNX model from a file or memory. */
  public SegmenterBuilder model(ModelSource source) {
    this.model = source;
    return this;
  }

  /** Where to run; default CPU. CUDA falls back to CPU with a warning unless strict. */
  public SegmenterBuilder device(Device device) {
    this.device = device;
    return this;
  }

  /** Fail instead of falling back to CPU when the device cannot be used; default false. */
  public SegmenterBuilder strictDevice(boolean strict) {
    this.strictDevice = strict;
    return this;
  }

  /** Tile size in voxels; default the model's training tile. */
  public SegmenterBuilder tile(int width, int height) {
    this.tileWidth = width;
    this.tileHeight = height;
    return this;
  }

  /** Overlap between neighbouring tiles in voxels; default a quarter of the tile. */
  public SegmenterBuilder overlap(int voxels) {
    this.overlap = voxels;
    return this;
  }

  /** Weighting of overlapping tiles; default {@link Blending#GAUSSIAN}. */
  public SegmenterBuilder blending(Blending blending) {
    this.blending = blending;
    return this;
  }

  /** Tiles per inference call; default 8. */
  public SegmenterBuilder batchSize(int tiles) {
    this.batchSize = tiles;
    return this;
  }

  /**
   * Intra-op threads of the inference engine, at most {@link Runtime#availableProcessors()};
   * default 0, which means {@link SegmenterConfig#defaultThreads(int)} of the available
   * processors (one thread on machines of up to two cores, else one less than the cores).
   */
  public SegmenterBuilder threads(int threads) {
    this.threads = threads;
    return this;
  }

  /**
   * Threads that read, normalise and tile the input ahead of the inference engine; default 0,
   * which means {@link SegmenterConfig#defaultWorkers(int)} of the available processors. The
   * result does not depend on it.
   */
  public SegmenterBuilder workers(int workers) {
    this.workers = workers;
    return this;
  }

  /**
   * Override the model's intensity normalisation, e.g. {@code Normalization.percentile(0.5,
   * 99.5)} (or {@code Normalization.parse("percentile:0.5,99.5")}); default the model's.
   */
  public SegmenterBuilder normalization(Normalization value) {
    this.normalization = value;
    return this;
  }

  /** Override the model's calibrated mask threshold, in [0, 1]. */
  public SegmenterBuilder threshold(double threshold) {
    this.threshold = threshold;
    return this;
  }

  /**
   * Whether every tile is also predicted flipped in x, in y and in both, and the four
   * probabilities averaged before stitching (test-time augmentation): four times the inference
   * work; default false.
   */
  public SegmenterBuilder testTimeAugmentation(boolean enabled) {
    this.testTimeAugmentation = enabled;
    return this;
  }

  /** Receives progress reports during {@code segment}; called from worker threads. */
  public SegmenterBuilder onProgress(ProgressListener listener) {
    this.progress = listener;
    return this;
  }

  /** The settings as configured so far. */
  public SegmenterConfig config() {
    if (model == null) {
      throw new InvalidInputException("no model given: call model(Path) before build()");
    }
    return new SegmenterConfig(model, device, strictDevice, tileWidth, tileHeight, overlap,
        blending, batchSize, threads, workers, normalization, threshold, testTimeAugmentation,
        progress);
  }

  /**
   * Builds the segmenter with the implementation found on the class path.
   *
   * @throws io.github.neuroseg.MissingImplementationException if {@code neuroseg-infer-onnx} is
   *     not on the class path
   */
  public Segmenter build() {
    SegmenterConfig c = config();
    return Providers.load(SegmenterProvider.class, SegmenterProvider.ARTIFACT).create(c);
  }
}
