package io.github.neuroseg;

import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.tracing.TracerBuilder;
import io.github.neuroseg.training.TrainerBuilder;
import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of neuroseg: builders for the segmenter and the tracer, and the bundled model. The
 * implementations are found on the class path; a missing one is reported with the Maven artifact
 * to add.
 *
 * <pre>{@code
 * try (Segmenter seg = NeuroSeg.segmenter().model(Path.of("neuron-vit3d.onnx")).build()) {
 *   Segmentation s = seg.segment(Volumes.read(Path.of("neuron.tif")));
 *   NeuronTree tree = NeuroSeg.tracer().build().trace(s);
 *   Swc.write(tree, Path.of("neuron.swc"));
 * }
 * }</pre>
 */
public final class NeuroSeg {
  private NeuroSeg() {}

  /** A builder of ONNX segmenters (needs {@code neuroseg-infer-onnx}). */
  public static SegmenterBuilder segmenter() {
    return new SegmenterBuilder();
  }

  /** A builder of APP2-style tracers (needs {@code neuroseg-trace}). */
  public static TracerBuilder tracer() {
    return new TracerBuilder();
  }

  /** A builder of trainers of the segmentation network (needs {@code neuroseg-train}). */
  public static TrainerBuilder trainer() {
    return new TrainerBuilder();
  }

  /** Class-path location of the bundled model inside {@code neuroseg-models}. */
  public static final String BUNDLED_MODEL_RESOURCE =
      "io/github/neuroseg/models/neuroseg-default.onnx";

  /**
   * The default model shipped in the {@code io.github.neuroseg:neuroseg-models} artifact: a small
   * 3D ViT trained on synthetic volumes rendered from real reconstructions (its training
   * command, seed and validation scores are in the model's metadata and the README). Training
   * lives in {@code neuroseg-train}, which is used directly (it is a heavy dependency).
   *
   * @return the model's bytes, ready for {@link SegmenterBuilder#model(ModelSource)}
   * @throws MissingImplementationException when {@code neuroseg-models} is not on the class path
   * @throws NeuroSegIOException when the resource cannot be read
   */
  public static ModelSource bundledModel() {
    ClassLoader loader = NeuroSeg.class.getClassLoader();
    try (InputStream in = loader == null
        ? ClassLoader.getSystemResourceAsStream(BUNDLED_MODEL_RESOURCE)
        : loader.getResourceAsStream(BUNDLED_MODEL_RESOURCE)) {
      if (in == null) {
        throw new MissingImplementationException("the bundled model is not on the class path;"
            + " add the Maven artifact io.github.neuroseg:neuroseg-models");
      }
      return ModelSource.bytes("neuroseg-default.onnx", in.readAllBytes());
    } catch (IOException e) {
      throw IoErrors.cannot("read the bundled model", BUNDLED_MODEL_RESOURCE, e);
    }
  }
}
