package io.github.neuroseg.pipeline;

import io.github.neuroseg.segmentation.PostProcessing;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.volume.Volume;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The canonical volume-to-SWC pipeline: segment a volume, clean the mask ({@link
 * PostProcessing}, by default {@link PostProcessing#DEFAULT}), then trace the mask with the volume's intensities as the tracer's speed. This
 * is what the {@code neuroseg run} command does.
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
  private final PostProcessing postProcessing;
  private final boolean probabilities;

  private Pipeline(Segmenter segmenter, Tracer tracer, PostProcessing postProcessing,
      boolean probabilities) {
    this.segmenter = segmenter;
    this.tracer = tracer;
    this.postProcessing = postProcessing;
    this.probabilities = probabilities;
  }

  /**
   * A pipeline of these two steps, with {@link PostProcessing#DEFAULT} cleaning the mask before
   * tracing (what {@code neuroseg run} does); {@code withPostProcessing(PostProcessing.NONE)}
   * traces the segmentation's thresholded mask as it is.
   */
  public static Pipeline of(Segmenter segmenter, Tracer tracer) {
    return new Pipeline(segmenter, tracer, PostProcessing.DEFAULT, true);
  }

  /** This pipeline with this post-processing of the mask before tracing. */
  public Pipeline withPostProcessing(PostProcessing value) {
    return new Pipeline(segmenter, tracer, value, probabilities);
  }

  /**
   * This pipeline keeping the probability map in its reconstructions ({@code true}, the
   * default) or not. Without it, unless the tracer's speed is {@link SpeedSource#FOREGROUND}
   * (which reads the probabilities), the volume is segmented straight into its mask ({@link
   * Segmenter#segmentMask}), or, with post-processing, into the levels it reads ({@link
   * Segmenter#segmentLevels}, then {@link PostProcessing#applyToLevels}): a byte per voxel
   * instead of a float map, the same mask and the same trace, and the reconstruction's {@code
   * segmentation().probabilities()} are the mask's 0 and 1. What {@code neuroseg run} does
   * unless it is asked to write the probabilities.
   */
  public Pipeline withProbabilities(boolean keep) {
    return new Pipeline(segmenter, tracer, postProcessing, keep);
  }

  /**
   * Segments and traces one volume.
   *
   * @throws io.github.neuroseg.InvalidInputException for an empty volume or NaN voxels
   * @throws io.github.neuroseg.StateException when the segmenter is closed
   */
  public Reconstruction run(Volume volume) {
    if (!probabilities && tracer.config().speed() != SpeedSource.FOREGROUND) {
      double threshold = segmenter.config().threshold();
      RandomAccessibleInterval<UnsignedByteType> mask = postProcessing.equals(PostProcessing.NONE)
          ? segmenter.segmentMask(volume)
          : postProcessing.applyToLevels(segmenter.segmentLevels(volume,
              postProcessing.low(threshold), threshold));
      Segmentation s = new Segmentation(Converters.convert(mask,
          (in, out) -> out.setReal(in.get()), new FloatType()), threshold, volume.voxelSize());
      return new Reconstruction(s, mask, tracer.trace(traceInput(mask, s, volume)));
    }
    Segmentation s = segmenter.segment(volume);
    if (postProcessing.equals(PostProcessing.NONE)) {
      return new Reconstruction(s, s.mask(), tracer.trace(TraceInput.of(s, volume)));
    }
    var mask = postProcessing.apply(s);
    return new Reconstruction(s, mask, tracer.trace(traceInput(mask, s, volume)));
  }

  /**
   * What the pipeline traces when the mask was post-processed: the 0/1 mask, with the volume's
   * intensities as the tracer's speed, at threshold 0.5. For callers that segment themselves
   * (into their own buffers, say) and want the pipeline's trace.
   *
   * @param mask the post-processed mask, 0 or 1 per voxel (e.g. {@link PostProcessing#apply})
   * @param segmentation the segmentation it came from (for the voxel size)
   * @param volume the segmented volume
   */
  public static TraceInput traceInput(RandomAccessibleInterval<? extends RealType<?>> mask,
      Segmentation segmentation, Volume volume) {
    return TraceInput.of(mask, segmentation.voxelSize()).withIntensities(volume.image())
        .withThreshold(0.5);
  }

  /** Whether reconstructions keep the probability map (see {@link #withProbabilities}). */
  public boolean keepsProbabilities() {
    return probabilities;
  }

  /** The post-processing of the mask before tracing. */
  public PostProcessing postProcessing() {
    return postProcessing;
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
