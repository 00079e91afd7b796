package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TraceInput;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;
import java.io.Serializable;

/**
 * Tracing a large foreground piece by piece, with the trees that tracing it whole gives. A piece
 * is a box cut out of the volume holding some of its connected components and nothing else of
 * the foreground (other voxels set to background). {@link App2Tracer} traces a component
 * alone exactly as it traces it among the others, except for three couplings: the speed is
 * scaled by statistics of the whole foreground ({@link Whole}), and bridges, coverage spheres and
 * smoothing reach other components that lie within {@link #interactionDistance}. So pieces whose
 * components are farther than that from every component of other pieces, traced with the whole
 * foreground's statistics, give together the whole trace's trees (the same nodes, radii and
 * parent links; only the order and numbering of the nodes differ).
 *
 * <p>This is how {@code neuroseg-spark} traces a volume component by component. Automatic seeds
 * only: a configuration with seeds is refused.
 */
public final class ComponentTracing {
  private ComponentTracing() {}

  /**
   * What a piece's trace needs to know about the whole foreground: the range of its values and
   * of its intensities (over the foreground voxels, finite values only, as {@code float}), and
   * the largest distance of a foreground voxel to the background (physical units; see {@link
   * #maxDistance}).
   *
   * @param valueMin least foreground value
   * @param valueMax largest foreground value
   * @param intensityMin least intensity of a foreground voxel (any value when there are none)
   * @param intensityMax largest intensity of a foreground voxel
   * @param maxDistance largest distance to the background
   */
  public record Whole(float valueMin, float valueMax, float intensityMin, float intensityMax,
      float maxDistance) implements Serializable {

    /** The statistics of nothing, the neutral element of {@link #merge}. */
    public static Whole empty() {
      return new Whole(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
          Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0);
    }

    /** Adds one foreground voxel's value and intensity (non-finite ones are skipped). */
    public Whole withVoxel(float value, float intensity) {
      float vlo = valueMin;
      float vhi = valueMax;
      float ilo = intensityMin;
      float ihi = intensityMax;
      if (Float.isFinite(value)) {
        vlo = Math.min(vlo, value);
        vhi = Math.max(vhi, value);
      }
      if (Float.isFinite(intensity)) {
        ilo = Math.min(ilo, intensity);
        ihi = Math.max(ihi, intensity);
      }
      return new Whole(vlo, vhi, ilo, ihi, maxDistance);
    }

    /** With the largest distance raised to at least {@code distance}. */
    public Whole withDistance(float distance) {
      return new Whole(valueMin, valueMax, intensityMin, intensityMax,
          Math.max(maxDistance, distance));
    }

    /** The statistics of both foregrounds together. */
    public Whole merge(Whole o) {
      return new Whole(Math.min(valueMin, o.valueMin), Math.max(valueMax, o.valueMax),
          Math.min(intensityMin, o.intensityMin), Math.max(intensityMax, o.intensityMax),
          Math.max(maxDistance, o.maxDistance));
    }
  }

  /**
   * The largest distance (physical units) of a foreground voxel of {@code piece} to the
   * background, where everything outside the image is background. For a piece holding whole
   * components this is their largest distance in the whole volume too.
   */
  public static float maxDistance(TraceInput piece, TracerConfig config) {
    double threshold = piece.threshold() != null ? piece.threshold() : config.threshold();
    ForegroundSet fg = ForegroundSet.of(piece.foreground(), threshold, null);
    VoxelSize vs = piece.voxelSize();
    float max = 0;
    for (float d : DistanceTransform.compute(fg, vs.x(), vs.y(), vs.z())) {
      max = Math.max(max, d);
    }
    return max;
  }

  /**
   * How far (physical units) a component's trace reaches into its surroundings: its bridges,
   * coverage spheres and smoothed nodes stay within this distance of its voxels, given the
   * whole foreground's largest distance to the background. Components farther apart than this
   * trace independently.
   */
  public static double interactionDistance(TracerConfig config, VoxelSize vs,
      double maxDistance) {
    double unit = (vs.x() + vs.y()) / 2;
    double coarsest = Math.max(vs.x(), Math.max(vs.y(), vs.z()));
    double diagonal = Math.sqrt(vs.x() * vs.x() + vs.y() * vs.y() + vs.z() * vs.z());
    // coverage spheres: sphereScale * EDT + one voxel
    double reach = config.sphereScale() * maxDistance + unit;
    if (config.bridgeGap() > 0) {
      // a bridge's target: within EDT + (gap + 1) voxels + the coarsest side of an end; the
      // line to it is sampled at rounded positions
      reach = Math.max(reach, maxDistance + (config.bridgeGap() + 1) * unit + coarsest
          + diagonal);
    }
    if (config.smoothing() > 0) {
      // three passes of a moving average over at most w nodes each side, steps of at most a
      // voxel diagonal, then rounded to a voxel
      double w = Math.max(Math.round(config.smoothing() * Math.max(1, coarsest / unit)),
          Math.round(maxDistance / unit) + 1);
      reach = Math.max(reach, 3 * w * diagonal + diagonal);
    }
    return reach + 2 * diagonal;
  }

  /**
   * Traces one piece as part of the whole foreground.
   *
   * @param piece the piece: its components, everything else background; its voxel size is the
   *     volume's
   * @param origin where the piece's voxel (0, 0, 0) lies in the volume (x, y, z); the tree's
   *     coordinates are the volume's
   * @param config the tracer's settings, without seeds
   * @param whole the whole foreground's statistics
   * @throws InvalidInputException when the configuration has seeds, or for a speed source that
   *     needs intensities the piece lacks
   */
  public static NeuronTree trace(TraceInput piece, long[] origin, TracerConfig config,
      Whole whole) {
    if (!config.seeds().isEmpty()) {
      throw new InvalidInputException("component-wise tracing places its seeds itself; got "
          + config.seeds().size() + " seeds");
    }
    if (origin.length != 3) {
      throw new InvalidInputException("origin must have 3 coordinates, got " + origin.length);
    }
    SpeedSource speed = config.speed();
    if (speed == SpeedSource.AUTO) {
      speed = piece.intensities() != null ? SpeedSource.INTENSITY : SpeedSource.DISTANCE;
    }
    if (speed == SpeedSource.INTENSITY && piece.intensities() == null) {
      throw new InvalidInputException(
          "speed source INTENSITY needs intensities: give them with TraceInput.withIntensities");
    }
    double threshold = piece.threshold() != null ? piece.threshold() : config.threshold();
    ForegroundSet fg = ForegroundSet.of(piece.foreground(), threshold,
        speed == SpeedSource.INTENSITY ? piece.intensities() : null);
    return TraceRun.run(fg, piece.voxelSize(), config, speed, origin.clone(), whole);
  }
}
