package io.github.neuroseg.examples.cli;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.tracing.Tracer;
import io.github.neuroseg.tracing.TracerBuilder;
import org.jspecify.annotations.Nullable;
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
   * threshold along).
   */
  Tracer tracer() {
    return builder().build();
  }

  /** A tracer with these options and the given threshold. */
  Tracer tracer(double threshold) {
    return builder().threshold(threshold).build();
  }

  private TracerBuilder builder() {
    TracerBuilder b = NeuroSeg.tracer();
    if (minComponent != null) {
      b.minComponentSize(minComponent);
    }
    if (pruneLength != null) {
      b.pruneLength(pruneLength);
    }
    if (resampleStep != null) {
      b.resampleStep(resampleStep);
    }
    if (pruneRadiusFactor != null) {
      b.pruneRadiusFactor(pruneRadiusFactor);
    }
    if (somaRatio != null) {
      b.somaRatio(somaRatio);
    }
    if (bridgeGap != null) {
      b.bridgeGap(bridgeGap);
    }
    if (bridgeAngle != null) {
      b.bridgeAngle(bridgeAngle);
    }
    return b;
  }
}
