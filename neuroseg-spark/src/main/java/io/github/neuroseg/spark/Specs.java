package io.github.neuroseg.spark;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.segmentation.Blending;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.Normalization;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Serializable forms of the segmenter and tracer settings, which travel to the executors (the
 * api's configurations hold a progress listener and the model's bytes, which do not).
 */
final class Specs {
  private Specs() {}

  /**
   * A segmenter's settings without its model, which is broadcast separately.
   *
   * @param modelName the model's label, for messages
   * @param modelDigest the SHA-256 of the model's bytes: executors share one segmenter per model
   *     and settings
   */
  record SegmenterSpec(String modelName, String modelDigest, @Nullable Integer tileWidth,
      @Nullable Integer tileHeight, @Nullable Integer overlap, Blending blending, int batchSize,
      int threads, @Nullable String normalization, @Nullable Double threshold,
      boolean testTimeAugmentation) implements Serializable {

    /** The spec of a configuration (on the CPU), and the model's bytes. */
    static SegmenterSpec of(SegmenterConfig c, byte[] model) {
      return new SegmenterSpec(c.model().label(), digest(model), c.tileWidth(), c.tileHeight(),
          c.overlap(), c.blending(), c.batchSize(), c.threads(),
          c.normalization() == null ? null : c.normalization().spec(), c.threshold(),
          c.testTimeAugmentation());
    }

    /** A segmenter for these settings and the model's bytes. */
    Segmenter open(byte[] model) {
      SegmenterBuilder b = NeuroSeg.segmenter().model(ModelSource.bytes(modelName, model))
          .blending(blending).batchSize(batchSize).threads(threads)
          .testTimeAugmentation(testTimeAugmentation);
      if (tileWidth != null && tileHeight != null) {
        b.tile(tileWidth, tileHeight);
      }
      if (overlap != null) {
        b.overlap(overlap);
      }
      if (normalization != null) {
        b.normalization(Normalization.parse(normalization));
      }
      if (threshold != null) {
        b.threshold(threshold);
      }
      return b.build();
    }

    /** The key executors cache segmenters under. */
    String key() {
      return toString();
    }
  }

  /** The bytes of a configuration's model. */
  static byte[] modelBytes(SegmenterConfig c) {
    if (c.model() instanceof ModelSource.Bytes b) {
      return b.content();
    }
    ModelSource.File f = (ModelSource.File) c.model();
    try {
      return Files.readAllBytes(f.path());
    } catch (IOException e) {
      throw new NeuroSegIOException("cannot read model file " + f.path() + ": " + e.getMessage(),
          e);
    }
  }

  static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** A tracer configuration without seeds (the jobs place seeds themselves). */
  record TracerSpec(double threshold, int minComponentSize, double pruneLength,
      double pruneRadiusFactor, double coverageRatio, double sphereScale, double somaRatio,
      double bridgeGap, double bridgeAngle, double resampleStep, int smoothing,
      SpeedSource speed, double speedContrast, int neuriteType) implements Serializable {

    /**
     * The spec of a configuration.
     *
     * @throws InvalidInputException when it has seeds
     */
    static TracerSpec of(TracerConfig c) {
      if (!c.seeds().isEmpty()) {
        throw new InvalidInputException("the Spark jobs place seeds automatically (one per "
            + "component); got a tracer configuration with " + c.seeds().size() + " seeds");
      }
      return new TracerSpec(c.threshold(), c.minComponentSize(), c.pruneLength(),
          c.pruneRadiusFactor(), c.coverageRatio(), c.sphereScale(), c.somaRatio(),
          c.bridgeGap(), c.bridgeAngle(), c.resampleStep(), c.smoothing(), c.speed(),
          c.speedContrast(), c.neuriteType());
    }

    TracerConfig config() {
      return new TracerConfig(threshold, List.of(), minComponentSize, pruneLength,
          pruneRadiusFactor, coverageRatio, sphereScale, somaRatio, bridgeGap, bridgeAngle,
          resampleStep, smoothing, speed, speedContrast, neuriteType);
    }
  }
}
