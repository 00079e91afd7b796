package io.github.neuroseg.tracing;

import io.github.neuroseg.InvalidInputException;
import java.util.List;

/**
 * Immutable settings of a {@link Tracer}; see {@link TracerBuilder} for the meaning and defaults
 * of each. Lengths given "in voxels" are physical lengths divided by the mean in-plane voxel size
 * {@code (vx + vy) / 2}, the convention SWC radii use.
 *
 * @param threshold a voxel is foreground when its value is {@code >= threshold}
 * @param seeds user seeds (voxel indices); empty for automatic seeds
 * @param minComponentSize components with fewer voxels are ignored, {@code >= 1}
 * @param pruneLength terminal branches shorter than this (voxels) are removed, {@code >= 0}
 * @param pruneRadiusFactor a terminal branch is also removed when shorter than this times the
 *     radius (voxels) of the neurite where it leaves it; {@code >= 0}, 0 for off
 * @param coverageRatio a branch is removed when at least this fraction of its nodes lies inside
 *     the spheres of longer kept branches, in (0, 1]
 * @param sphereScale factor on the radius of the coverage spheres, {@code > 0}
 * @param somaRatio a root whose distance to the background is at least this many times the
 *     radius of the thickest neurite leaving it is a soma, collapsed into one node; 0 for off,
 *     else {@code >= 1}
 * @param bridgeGap longest gap (voxels of background) bridged between the pieces of a neurite,
 *     in [0, 50], 0 for off
 * @param bridgeAngle largest angle (degrees) between a terminal's direction and a bridge, in
 *     (0, 180]
 * @param resampleStep spacing of output nodes (voxels), or 0 to keep one node per voxel step
 * @param smoothing half-width in nodes of the moving average applied to unbranched runs, 0 for
 *     none
 * @param speed what drives the geodesic front
 * @param speedContrast steepness of the speed function (APP2's lambda), {@code >= 0}
 * @param neuriteType SWC structure code of non-root nodes
 */
public record TracerConfig(
    double threshold,
    List<Seed> seeds,
    int minComponentSize,
    double pruneLength,
    double pruneRadiusFactor,
    double coverageRatio,
    double sphereScale,
    double somaRatio,
    double bridgeGap,
    double bridgeAngle,
    double resampleStep,
    int smoothing,
    SpeedSource speed,
    double speedContrast,
    int neuriteType) {

  /**
   * Validates every field.
   *
   * @throws InvalidInputException naming the bad value
   */
  public TracerConfig {
    seeds = List.copyOf(seeds);
    if (!Double.isFinite(threshold)) {
      throw new InvalidInputException("threshold must be finite, got " + threshold);
    }
    if (minComponentSize < 1) {
      throw new InvalidInputException("min component size must be >= 1 voxel, got "
          + minComponentSize);
    }
    if (!(pruneLength >= 0) || Double.isInfinite(pruneLength)) {
      throw new InvalidInputException("prune length must be finite and >= 0, got " + pruneLength);
    }
    if (!(pruneRadiusFactor >= 0) || Double.isInfinite(pruneRadiusFactor)) {
      throw new InvalidInputException(
          "prune radius factor must be finite and >= 0 (0 = off), got " + pruneRadiusFactor);
    }
    if (!(somaRatio == 0 || somaRatio >= 1) || Double.isInfinite(somaRatio)) {
      throw new InvalidInputException(
          "soma ratio must be 0 (off) or a finite value >= 1, got " + somaRatio);
    }
    if (!(bridgeGap >= 0 && bridgeGap <= 50)) {
      throw new InvalidInputException(
          "bridge gap must be in [0, 50] voxels (0 = off), got " + bridgeGap);
    }
    if (!(bridgeAngle > 0 && bridgeAngle <= 180)) {
      throw new InvalidInputException(
          "bridge angle must be in (0, 180] degrees, got " + bridgeAngle);
    }
    if (!(coverageRatio > 0 && coverageRatio <= 1)) {
      throw new InvalidInputException("coverage ratio must be in (0, 1], got " + coverageRatio);
    }
    if (!(sphereScale > 0) || Double.isInfinite(sphereScale)) {
      throw new InvalidInputException("sphere scale must be finite and > 0, got " + sphereScale);
    }
    if (!(resampleStep >= 0) || Double.isInfinite(resampleStep)) {
      throw new InvalidInputException(
          "resample step must be finite and >= 0 (0 = off), got " + resampleStep);
    }
    if (smoothing < 0) {
      throw new InvalidInputException("smoothing must be >= 0 nodes (0 = off), got " + smoothing);
    }
    if (!(speedContrast >= 0) || speedContrast > 50) {
      throw new InvalidInputException("speed contrast must be in [0, 50], got " + speedContrast);
    }
    if (neuriteType < 0) {
      throw new InvalidInputException("neurite structure code must be >= 0, got " + neuriteType);
    }
  }
}
