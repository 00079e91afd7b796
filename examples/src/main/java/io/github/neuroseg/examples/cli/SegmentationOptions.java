package io.github.neuroseg.examples.cli;

import io.github.neuroseg.Device;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.onnx.BioImageIo;
import io.github.neuroseg.segmentation.Blending;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options shared by the commands that segment: the model and how it runs. */
final class SegmentationOptions {
  @Option(names = "--model",
      description = "ONNX model in neuroseg's format, or a bioimage.io package of one (its"
          + " folder or rdf.yaml) (default: the bundled model)")
  @Nullable Path model;

  @Option(names = "--device", defaultValue = "cpu",
      description = "cpu, cuda or cuda:<id> (default ${DEFAULT-VALUE})")
  String device;

  @Option(names = "--strict-device",
      description = "fail instead of falling back to the CPU when the device cannot be used")
  boolean strictDevice;

  @Option(names = "--tile", description = "tile size WxH in voxels (default: the model's)")
  @Nullable String tile;

  @Option(names = "--overlap", description = "tile overlap in voxels (default: a quarter tile)")
  @Nullable Integer overlap;

  @Option(names = "--blending", defaultValue = "GAUSSIAN",
      description = "GAUSSIAN, LINEAR or CONSTANT (default ${DEFAULT-VALUE})")
  Blending blending;

  @Option(names = "--batch", defaultValue = "8", description = "tiles per batch (default 8)")
  int batch;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = 1 on machines of up to 2 cores, else"
          + " the cores less one (default 0)")
  int threads;

  @Option(names = "--workers", defaultValue = "0",
      description = "threads preparing batches ahead of ONNX Runtime; 0 = one per 8 cores,"
          + " 1 to 4 (default 0)")
  int workers;

  @Option(names = "--threshold", description = "probability threshold (default: the model's)")
  @Nullable Double threshold;

  @Option(names = "--tta",
      description = "test-time augmentation: average each tile's predictions flipped in x, y and"
          + " both (4x the work)")
  boolean tta;

  /**
   * A configured segmenter builder, reporting progress to {@code progress}; a value the library
   * refuses is a usage error naming its option.
   */
  SegmenterBuilder builder(CommandSpec spec, ProgressListener progress) {
    SegmenterBuilder b = model == null ? NeuroSeg.segmenter().model(NeuroSeg.bundledModel())
        : BioImageIo.isPackage(model) ? BioImageIo.segmenter(model)
        : NeuroSeg.segmenter().model(model);
    b.strictDevice(strictDevice)
        .blending(blending)
        .testTimeAugmentation(tta)
        .onProgress(progress);
    // each value is checked by the library's config() as soon as it is set
    Usage.option(spec, "--device", () -> b.device(Device.parse(device)).config());
    Usage.option(spec, "--batch", () -> b.batchSize(batch).config());
    Usage.option(spec, "--threads", () -> b.threads(threads).config());
    Usage.option(spec, "--workers", () -> b.workers(workers).config());
    if (tile != null) {
      Usage.option(spec, "--tile", () -> {
        long[] wh = RenderCommand.parseDims(tile, 2, "tile");
        if (wh[0] > Integer.MAX_VALUE || wh[1] > Integer.MAX_VALUE) {
          throw new InvalidInputException("tile must be WxH with integers in [1, "
              + Integer.MAX_VALUE + "], got '" + tile + "'");
        }
        return b.tile((int) wh[0], (int) wh[1]).config();
      });
    }
    if (overlap != null) {
      Usage.option(spec, "--overlap", () -> b.overlap(overlap).config());
    }
    if (threshold != null) {
      Usage.option(spec, "--threshold", () -> b.threshold(threshold).config());
    }
    return b;
  }

  /**
   * The segmenter of a {@link #builder}, its model loaded: a tile or overlap that does not fit
   * the model (not a multiple of its patch, larger than its fixed input) is a usage error too.
   */
  Segmenter build(CommandSpec spec, SegmenterBuilder b) {
    return tile == null && overlap == null ? b.build()
        : Usage.option(spec, tile != null ? "--tile" : "--overlap", b::build);
  }
}
