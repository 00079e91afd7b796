package io.github.neuroseg.pipeline;

import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;

/**
 * The canonical volume-to-SWC pipeline: segment a volume, then trace the segmentation with the
 * volume's intensities as the tracer's speed, at the segmentation's threshold. This is what the
 * {@code neuroseg run} command does.
 *
 * <pre>{@code
 * try (Segmenter segmenter = NeuroSeg.segmenter().model(NeuroSeg.bundledModel()).build()) {
 *   Reconstruction r = Pipeline.of(segmenter, NeuroSeg.tracer().build()).run(volume);
 *   Swc.write(r.tree(), Path.of("neuron.swc"));
 * }
 * }</pre>
 *
 * <p>A pipeline does not own the segmenter: closing the segmenter is the caller's job. It is
 * immutable and as thread-safe as its parts (neuroseg's segmenters and tracers are).
 */
public final class Pipeline {
  private final Segmenter segmenter;
  private final Tracer tracer;

  private Pipeline(Segmenter segmenter, Tracer tracer) {
    this.segmenter = segmenter;
    this.tracer = tracer;
  }

  /** A pipeline of these two steps. */
  public static Pipeline of(Segmenter segmenter, Tracer tracer) {
    return new Pipeline(segmenter, tracer);
  }

  /**
   * Segments and traces one volume.
   *
   * @throws io.github.neuroseg.InvalidInputException for an empty volume or NaN voxels
   * @throws io.github.neuroseg.StateException when the segmenter is closed
   */
  public Reconstruction run(Volume volume) {
    Segmentation s = segmenter.segment(volume);
    return new Reconstruction(s, tracer.trace(TraceInput.of(s, volume)));
  }

  /** The segmentation step. */
  public Segmenter segmenter() {
    return segmenter;
  }

  /** The tracing step. */
  public Tracer tracer() {
    return tracer;
  }
}
