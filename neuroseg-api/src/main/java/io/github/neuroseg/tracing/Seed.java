package io.github.neuroseg.tracing;

import io.github.neuroseg.InvalidInputException;

/**
 * A user-given starting point (soma) of a trace, as voxel indices of the traced image.
 *
 * @param x voxel index along x, {@code >= 0}
 * @param y voxel index along y, {@code >= 0}
 * @param z voxel index along z, {@code >= 0}
 */
public record Seed(long x, long y, long z) {

  public Seed {
    if (x < 0 || y < 0 || z < 0) {
      throw new InvalidInputException(
          "seed voxel indices must be >= 0, got (" + x + ", " + y + ", " + z + ")");
    }
  }
}
