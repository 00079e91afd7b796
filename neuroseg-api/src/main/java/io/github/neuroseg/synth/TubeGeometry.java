package io.github.neuroseg.synth;

import io.github.neuroseg.volume.VoxelSize;

/**
 * The voxels of a tube, the one geometry behind the exact mask ({@link GroundTruth}) and the
 * rendered signal ({@link TubeRaster}), so that the two coincide.
 *
 * <p>For a segment {@code a -> b} with radii {@code ra}, {@code rb} (physical units) and a voxel
 * centre {@code p = (i * vx, j * vy, k * vz)}: with {@code t} the parameter of the point of the
 * segment nearest to {@code p}, clamped to [0, 1], the voxel is covered when {@code |p - (a + t (b
 * - a))| <= ra + t (rb - ra)}, or, for the minimum radius, when the same holds in voxel
 * coordinates (physical coordinates divided by the voxel size per axis) with radius {@code
 * minR}. A segment with {@code a == b} is a ball. Only voxels within the segment's bounding box
 * are visited; images are flat arrays, x fastest.
 */
final class TubeGeometry {

  /** What a tube does with the voxels it covers. */
  interface Sink {
    /** Whether the voxel still needs its test; {@code false} skips it (it is final already). */
    boolean open(int index);

    /**
     * The voxel {@code index} is covered; {@code t} is the segment parameter, in [0, 1], of the
     * point nearest to it (of the physical tube when that covers it, else of the minimum-radius
     * tube).
     */
    void cover(int index, double t);
  }

  private final int nx;
  private final int ny;
  private final int nz;
  private final double[] v;

  TubeGeometry(int nx, int ny, int nz, VoxelSize size) {
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.v = new double[] {size.x(), size.y(), size.z()};
  }

  /**
   * Visits the voxels of the tube {@code pa -> pb}.
   *
   * @param ra the physical radius at {@code pa}
   * @param rb the physical radius at {@code pb}
   * @param minR the minimum radius in voxels, {@code >= 0} (0: none)
   */
  void tube(double[] pa, double[] pb, double ra, double rb, double minR, Sink sink) {
    double rmax = Math.max(ra, rb);
    int[] lo = new int[3];
    int[] hi = new int[3];
    int[] n = {nx, ny, nz};
    for (int d = 0; d < 3; d++) {
      double ext = Math.max(rmax / v[d], minR);
      lo[d] = (int) Math.max(0, Math.floor(Math.min(pa[d], pb[d]) / v[d] - ext));
      hi[d] = (int) Math.min(n[d] - 1, Math.ceil(Math.max(pa[d], pb[d]) / v[d] + ext));
      if (lo[d] > hi[d]) {
        return;
      }
    }
    // the segment in physical and in voxel coordinates
    double ex = pb[0] - pa[0];
    double ey = pb[1] - pa[1];
    double ez = pb[2] - pa[2];
    double len2 = ex * ex + ey * ey + ez * ez;
    double ax = pa[0] / v[0];
    double ay = pa[1] / v[1];
    double az = pa[2] / v[2];
    double fx = ex / v[0];
    double fy = ey / v[1];
    double fz = ez / v[2];
    double vlen2 = fx * fx + fy * fy + fz * fz;
    double minR2 = minR * minR;
    for (int k = lo[2]; k <= hi[2]; k++) {
      for (int j = lo[1]; j <= hi[1]; j++) {
        int row = (k * ny + j) * nx;
        for (int i = lo[0]; i <= hi[0]; i++) {
          int index = row + i;
          if (!sink.open(index)) {
            continue;
          }
          double px = i * v[0] - pa[0];
          double py = j * v[1] - pa[1];
          double pz = k * v[2] - pa[2];
          double t = param(px, py, pz, ex, ey, ez, len2);
          double r = ra + t * (rb - ra);
          if (dist2(px, py, pz, ex, ey, ez, t) <= r * r) {
            sink.cover(index, t);
          } else if (minR2 > 0) {
            double qx = i - ax;
            double qy = j - ay;
            double qz = k - az;
            double tv = param(qx, qy, qz, fx, fy, fz, vlen2);
            if (dist2(qx, qy, qz, fx, fy, fz, tv) <= minR2) {
              sink.cover(index, tv);
            }
          }
        }
      }
    }
  }

  private static double param(double px, double py, double pz, double ex, double ey, double ez,
      double len2) {
    double t = len2 > 0 ? (px * ex + py * ey + pz * ez) / len2 : 0;
    return t < 0 ? 0 : (t > 1 ? 1 : t);
  }

  private static double dist2(double px, double py, double pz, double ex, double ey, double ez,
      double t) {
    double dx = px - t * ex;
    double dy = py - t * ey;
    double dz = pz - t * ez;
    return dx * dx + dy * dy + dz * dz;
  }
}
