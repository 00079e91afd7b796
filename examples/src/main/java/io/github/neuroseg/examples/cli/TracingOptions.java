package io.github.neuroseg.examples.cli;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerBuilder;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options shared by the commands that trace. */
final class TracingOptions {
  @Option(names = "--min-component",
      description = "ignore foreground components smaller than this many voxels (default "
          + TracerBuilder.DEFAULT_MIN_COMPONENT_SIZE + ")")
  @Nullable Integer minComponent;

  @Option(names = "--prune-length",
      description = "drop terminal branches shorter than this many voxels (default "
          + TracerBuilder.DEFAULT_PRUNE_LENGTH + ")")
  @Nullable Double pruneLength;

  @Option(names = "--prune-radius-factor",
      description = "also drop terminal branches shorter than this many times the radius of the"
          + " neurite they leave (default " + TracerBuilder.DEFAULT_PRUNE_RADIUS_FACTOR
          + "; 0: off)")
  @Nullable Double pruneRadiusFactor;

  @Option(names = "--soma-ratio",
      description = "collapse a root at least this many times wider than its neurites into one"
          + " soma node (default " + TracerBuilder.DEFAULT_SOMA_RATIO + "; 0: off)")
  @Nullable Double somaRatio;

  @Option(names = "--bridge-gap",
      description = "join pieces across gaps of at most this many voxels (default "
          + TracerBuilder.DEFAULT_BRIDGE_GAP + "; 0: off)")
  @Nullable Double bridgeGap;

  @Option(names = "--bridge-angle",
      description = "bridge only when the end points at the other piece within this angle in"
          + " degrees (default " + TracerBuilder.DEFAULT_BRIDGE_ANGLE + ")")
  @Nullable Double bridgeAngle;

  @Option(names = "--resample-step",
      description = "resample the traced tree to this node spacing in voxels (default: off)")
  @Nullable Double resampleStep;

  /**
   * A tracer with these options and the library's threshold (a segmentation passes its own
   * threshold along); a refused value is a usage error naming its option.
   */
  Tracer tracer(CommandSpec spec) {
    return builder(spec).build();
  }

  /** A tracer with these options and the threshold of {@code --threshold}. */
  Tracer tracer(CommandSpec spec, double threshold) {
    TracerBuilder b = builder(spec);
    Usage.option(spec, "--threshold", () -> b.threshold(threshold).config());
    return b.build();
  }

  private TracerBuilder builder(CommandSpec spec) {
    TracerBuilder b = NeuroSeg.tracer();
    // each value is checked by the library's config() as soon as it is set
    if (minComponent != null) {
      Usage.option(spec, "--min-component", () -> b.minComponentSize(minComponent).config());
    }
    if (pruneLength != null) {
      Usage.option(spec, "--prune-length", () -> b.pruneLength(pruneLength).config());
    }
    if (resampleStep != null) {
      Usage.option(spec, "--resample-step", () -> b.resampleStep(resampleStep).config());
    }
    if (pruneRadiusFactor != null) {
      Usage.option(spec, "--prune-radius-factor",
          () -> b.pruneRadiusFactor(pruneRadiusFactor).config());
    }
    if (somaRatio != null) {
      Usage.option(spec, "--soma-ratio", () -> b.somaRatio(somaRatio).config());
    }
    if (bridgeGap != null) {
      Usage.option(spec, "--bridge-gap", () -> b.bridgeGap(bridgeGap).config());
    }
    if (bridgeAngle != null) {
      Usage.option(spec, "--bridge-angle", () -> b.bridgeAngle(bridgeAngle).config());
    }
    return b;
  }
}
