package io.github.neuroseg;

import io.github.neuroseg.segmentation.SegmenterBuilder;
import io.github.neuroseg.tracing.TracerBuilder;

/**
 * Entry point of neuroseg: builders for the segmenter, the tracer and the trainer. The
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

  // trainer(): added with neuroseg-train
}
