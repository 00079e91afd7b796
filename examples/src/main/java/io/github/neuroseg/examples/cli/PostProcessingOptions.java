package io.github.neuroseg.examples.cli;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.PostProcessing;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options of the commands that turn probabilities into a mask: hysteresis and speckle removal. */
final class PostProcessingOptions {
  @Option(names = "--low-threshold",
      description = "hysteresis: also keep voxels of probability >= this that touch a voxel above"
          + " the threshold (default: ${sys:neuroseg.default.low})")
  @Nullable Double lowThreshold;

  @Option(names = "--min-object",
      description = "remove mask components of fewer voxels (26-connected; default:"
          + " ${sys:neuroseg.default.minObject})")
  @Nullable Integer minObject;

  @Option(names = "--no-post-processing",
      description = "the mask is exactly probability >= threshold (no hysteresis, no removal)")
  boolean none;

  static {
    // picocli's help reads the defaults from here, so they cannot drift from the library's
    PostProcessing d = PostProcessing.DEFAULT;
    System.setProperty("neuroseg.default.low", d.lowThreshold() >= 1 ? "off"
        : Double.toString(d.lowThreshold()));
    System.setProperty("neuroseg.default.minObject", d.minComponentVoxels() <= 1 ? "off"
        : Integer.toString(d.minComponentVoxels()));
  }

  /** The post-processing these options ask for. */
  PostProcessing postProcessing() {
    if (none) {
      if (lowThreshold != null || minObject != null) {
        throw new InvalidInputException("--no-post-processing cannot be combined with"
            + " --low-threshold or --min-object");
      }
      return PostProcessing.NONE;
    }
    return new PostProcessing(lowThreshold != null ? lowThreshold : PostProcessing.DEFAULT
        .lowThreshold(), minObject != null ? minObject : PostProcessing.DEFAULT.minComponentVoxels());
  }
}
