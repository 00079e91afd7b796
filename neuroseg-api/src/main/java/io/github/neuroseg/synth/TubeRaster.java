package io.github.neuroseg.synth;

import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;

/**
 * Draws brightness-carrying tubes and balls into a float image (x fastest), with the geometry of
 * {@link GroundTruth}; overlapping shapes keep the maximum brightness.
 */
final class TubeRaster {
  private final float[] data;
  private final int nx;
  private final int ny;
  private final int nz;
  private final double[] v;
  private final double minR;

  TubeRaster(float[] data, int nx, int ny, int nz, VoxelSize size, double minR) {
    this.data = data;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.v = new double[] {size.x(), size.y(), size.z()};
    this.minR = minR;
  }

  /**
   * The tube a to b with brightness interpolated from {@code ia} to {@code ib}, multiplied by
   * {@code gapFactor} where the segment parameter lies in {@code [gapStart, gapEnd]}.
   */
  void tube(SwcNode a, SwcNode b, double ia, double ib, double gapStart, double gapEnd,
      double gapFactor) {
    double[] pa = {a.x(), a.y(), a.z()};
    double[] pb = {b.x(), b.y(), b.z()};
    double ra = a.radius();
    double rb = b.radius();
    int[] lo = new int[3];
    int[] hi = new int[3];
    if (!box(pa, pb, Math.max(ra, rb), minR, lo, hi)) {
      return;
    }
    double ex = pb[0] - pa[0];
    double ey = pb[1] - pa[1];
    double ez = pb[2] - pa[2];
    double len2 = ex * ex + ey * ey + ez * ez;
    double fx = ex / v[0];
    double fy = ey / v[1];
    double fz = ez / v[2];
    double vlen2 = fx * fx + fy * fy + fz * fz;
    double minR2 = minR * minR;
    for (int k = lo[2]; k <= hi[2]; k++) {
      for (int j = lo[1]; j <= hi[1]; j++) {
        int row = (k * ny + j) * nx;
        for (int i = lo[0]; i <= hi[0]; i++) {
          double px = i * v[0] - pa[0];
          double py = j * v[1] - pa[1];
          double pz = k * v[2] - pa[2];
          double t = param(px, py, pz, ex, ey, ez, len2);
          double r = ra + t * (rb - ra);
          boolean in = dist2(px, py, pz, ex, ey, ez, t) <= r * r;
          if (!in && minR2 > 0) {
            double qx = px / v[0];
            double qy = py / v[1];
            double qz = pz / v[2];
            double tv = param(qx, qy, qz, fx, fy, fz, vlen2);
            if (dist2(qx, qy, qz, fx, fy, fz, tv) <= minR2) {
              in = true;
              t = tv;
            }
          }
          if (in) {
            double bright = ia + t * (ib - ia);
            if (t >= gapStart && t <= gapEnd) {
              bright *= gapFactor;
            }
            if (bright > data[row + i]) {
              data[row + i] = (float) bright;
            }
          }
        }
      }
    }
  }

  /** A ball of physical radius {@code r}, or {@code rVoxels} in voxel coordinates. */
  void ball(double[] centre, double r, double rVoxels, double bright) {
    int[] lo = new int[3];
    int[] hi = new int[3];
    if (!box(centre, centre, r, rVoxels, lo, hi)) {
      return;
    }
    for (int k = lo[2]; k <= hi[2]; k++) {
      for (int j = lo[1]; j <= hi[1]; j++) {
        int row = (k * ny + j) * nx;
        for (int i = lo[0]; i <= hi[0]; i++) {
          double px = i * v[0] - centre[0];
          double py = j * v[1] - centre[1];
          double pz = k * v[2] - centre[2];
          double qx = px / v[0];
          double qy = py / v[1];
          double qz = pz / v[2];
          boolean in = px * px + py * py + pz * pz <= r * r
              || qx * qx + qy * qy + qz * qz <= rVoxels * rVoxels;
          if (in && bright > data[row + i]) {
            data[row + i] = (float) bright;
          }
        }
      }
    }
  }

  private boolean box(double[] pa, double[] pb, double r, double rVox, int[] lo, int[] hi) {
    int[] n = {nx, ny, nz};
    for (int d = 0; d < 3; d++) {
      double ext = Math.max(r / v[d], rVox);
      lo[d] = (int) Math.max(0, Math.floor(Math.min(pa[d], pb[d]) / v[d] - ext));
      hi[d] = (int) Math.min(n[d] - 1, Math.ceil(Math.max(pa[d], pb[d]) / v[d] + ext));
      if (lo[d] > hi[d]) {
        return false;
      }
    }
    return true;
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
