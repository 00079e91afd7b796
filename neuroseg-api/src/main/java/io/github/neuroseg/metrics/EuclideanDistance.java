package io.github.neuroseg.metrics;

import java.util.Arrays;

/**
 * Exact squared Euclidean distance transform with anisotropic spacing, by the separable
 * lower-envelope-of-parabolas algorithm of Felzenszwalb and Huttenlocher applied along x, y, z.
 */
final class EuclideanDistance {
  private EuclideanDistance() {}

  /**
   * Squared distance from every voxel of a {@code nx * ny * nz} box (x fastest) to the nearest
   * feature voxel, with per-axis spacing. Voxels get {@code +infinity} when there is no feature.
   */
  static double[] squared(boolean[] feature, int nx, int ny, int nz, double[] spacing) {
    double[] f = new double[feature.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = feature[i] ? 0 : Double.POSITIVE_INFINITY;
    }
    int[] n = {nx, ny, nz};
    int[] stride = {1, nx, nx * ny};
    int maxLen = Math.max(nx, Math.max(ny, nz));
    double[] line = new double[maxLen];
    double[] out = new double[maxLen];
    int[] v = new int[maxLen];
    double[] z = new double[maxLen + 1];
    for (int axis = 0; axis < 3; axis++) {
      int len = n[axis];
      int st = stride[axis];
      double w = spacing[axis];
      // iterate over all lines along this axis: the other two axes
      int a1 = (axis + 1) % 3;
      int a2 = (axis + 2) % 3;
      for (int p2 = 0; p2 < n[a2]; p2++) {
        for (int p1 = 0; p1 < n[a1]; p1++) {
          int base = p1 * stride[a1] + p2 * stride[a2];
          for (int q = 0; q < len; q++) {
            line[q] = f[base + q * st];
          }
          transform1d(line, len, w, out, v, z);
          for (int q = 0; q < len; q++) {
            f[base + q * st] = out[q];
          }
        }
      }
    }
    return f;
  }

  /** out[p] = min_q f[q] + (w (p - q))^2 over the finite f[q]. */
  static void transform1d(double[] f, int len, double w, double[] out, int[] v, double[] z) {
    int k = -1;
    for (int q = 0; q < len; q++) {
      if (f[q] == Double.POSITIVE_INFINITY) {
        continue;
      }
      double xq = w * q;
      double s = 0;
      while (k >= 0) {
        double xv = w * v[k];
        s = ((f[q] + xq * xq) - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
        if (s <= z[k]) {
          k--;
        } else {
          break;
        }
      }
      k++;
      v[k] = q;
      z[k] = k == 0 ? Double.NEGATIVE_INFINITY : s;
      z[k + 1] = Double.POSITIVE_INFINITY;
    }
    if (k < 0) {
      Arrays.fill(out, 0, len, Double.POSITIVE_INFINITY);
      return;
    }
    int j = 0;
    for (int p = 0; p < len; p++) {
      double xp = w * p;
      while (z[j + 1] < xp) {
        j++;
      }
      double d = xp - w * v[j];
      out[p] = f[v[j]] + d * d;
    }
  }
}
