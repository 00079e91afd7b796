package io.github.neuroseg.tracing;

/**
 * What drives the geodesic front of the tracer: the front moves fast through voxels where the
 * chosen value is high, so paths follow bright or central lines of the foreground. Values are
 * scaled to [0, 1] over the foreground; {@link #FOREGROUND} and {@link #INTENSITY} are averaged
 * with the scaled distance to the background, so paths stay central where the signal is flat or
 * noisy (as APP2's gray-weighted distance transform combines the two).
 */
public enum SpeedSource {
  /** {@link #INTENSITY} when intensities are given, {@link #DISTANCE} otherwise. */
  AUTO,
  /**
   * The distance of each voxel to the background: paths follow the centre line of the mask.
   * Works on a bare binary mask.
   */
  DISTANCE,
  /** The foreground values themselves (e.g. segmentation probabilities). */
  FOREGROUND,
  /** The original image intensities; requires {@link TraceInput#intensities()}. */
  INTENSITY
}
