package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;

/**
 * Physical size of one voxel along x, y and z, e.g. {@code 0.3 x 0.3 x 1.0 micron}.
 *
 * @param x extent along x (> 0)
 * @param y extent along y (> 0)
 * @param z extent along z (> 0)
 * @param unit unit name, e.g. {@code "micron"}, or {@code "voxel"} when unknown
 */
public record VoxelSize(double x, double y, double z, String unit) {

  /** One voxel per unit on each axis: isotropic and unitless. */
  public static final VoxelSize UNIT = new VoxelSize(1, 1, 1, "voxel");

  public VoxelSize {
    if (!(x > 0) || !(y > 0) || !(z > 0) || Double.isInfinite(x) || Double.isInfinite(y)
        || Double.isInfinite(z)) {
      throw new InvalidInputException(
          "voxel size must be finite and > 0 on every axis, got " + x + " x " + y + " x " + z);
    }
    if (unit.isBlank()) {
      throw new InvalidInputException("voxel size unit must not be blank");
    }
  }

  /** An isotropic or anisotropic size in microns. */
  public static VoxelSize microns(double x, double y, double z) {
    return new VoxelSize(x, y, z, "micron");
  }

  /** Size along axis {@code d} (0 = x, 1 = y, 2 = z). */
  public double along(int d) {
    return switch (d) {
      case 0 -> x;
      case 1 -> y;
      case 2 -> z;
      default -> throw new InvalidInputException("axis must be 0, 1 or 2, got " + d);
    };
  }

  /** Whether all three extents are equal. */
  public boolean isIsotropic() {
    return x == y && y == z;
  }
}
