package io.github.neuroseg.examples.cli;

import io.github.neuroseg.segmentation.PostProcessing;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options of the commands that turn probabilities into a mask: hysteresis and speckle removal. */
final class PostProcessingOptions {
  @Option(names = "--low-threshold",
      description = "hysteresis: also keep voxels of probability >= this that touch a voxel above"
          + " the threshold (default: off)")
  @Nullable Double lowThreshold;

  @Option(names = "--min-object",
      description = "remove mask components of fewer voxels (26-connected; default: off)")
  @Nullable Integer minObject;

  /** The post-processing these options ask for; a refused value is a usage error. */
  PostProcessing postProcessing(CommandSpec spec) {
    PostProcessing d = PostProcessing.DEFAULT;
    PostProcessing low = lowThreshold == null ? d : Usage.option(spec, "--low-threshold",
        () -> new PostProcessing(lowThreshold, d.minComponentVoxels()));
    return minObject == null ? low : Usage.option(spec, "--min-object",
        () -> new PostProcessing(low.lowThreshold(), minObject));
  }
}
