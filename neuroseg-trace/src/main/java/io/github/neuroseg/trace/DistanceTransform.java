package io.github.neuroseg.trace;

/**
 * Exact Euclidean distance transform of a {@link ForegroundSet}: for every foreground voxel, the
 * physical distance from its centre to the nearest background voxel centre, where everything
 * outside the image counts as background. Anisotropic voxel sizes are respected.
 *
 * <p>The squared transform is separable (Felzenszwalb and Huttenlocher, 2012): one pass per axis
 * computes the lower envelope of parabolas along each line. Because background voxels always
 * have distance 0, a line splits into runs of foreground voxels that can be solved independently
 * with the two bounding background voxels as the only other parabolas; the transform therefore
 * only touches foreground voxels and costs time linear in their number (times a small lookup
 * factor).
 */
final class DistanceTransform {
  private DistanceTransform() {}

  /** The distance of every foreground voxel (indexed by id) to the background. */
  static float[] compute(ForegroundSet fg, double vx, double vy, double vz) {
    int n = fg.size();
    double[] sq = new double[n];
    // pass along x: distance to the ends of each run in its row
    int rowsTotal = fg.rowStart.length - 1;
    for (int r = 0; r < rowsTotal; r++) {
      int end = fg.rowStart[r + 1];
      int i = fg.rowStart[r];
      while (i < end) {
        int j = i;
        while (j + 1 < end && fg.xs[j + 1] == fg.xs[j] + 1) {
          j++;
        }
        int left = fg.xs[i] - 1;
        int right = fg.xs[j] + 1;
        for (int k = i; k <= j; k++) {
          double d = Math.min(fg.xs[k] - left, right - fg.xs[k]) * vx;
          sq[k] = d * d;
        }
        i = j + 1;
      }
    }
    int[] run = new int[Math.max(fg.ny, fg.nz) + 2];
    Envelope env = new Envelope(run.length + 2);
    passAlong(fg, sq, 1, vy, run, env);
    passAlong(fg, sq, 2, vz, run, env);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) Math.sqrt(sq[i]);
    }
    return out;
  }

  /** One separable pass along y (axis 1) or z (axis 2), in place. */
  private static void passAlong(
      ForegroundSet fg, double[] sq, int axis, double h, int[] run, Envelope env) {
    int n = fg.size();
    int dy = axis == 1 ? 1 : 0;
    int dz = axis == 2 ? 1 : 0;
    for (int id = 0; id < n; id++) {
      int x = fg.x(id);
      int y = fg.y(id);
      int z = fg.z(id);
      if (fg.find(x, y - dy, z - dz) >= 0) {
        continue; // not the start of a run
      }
      int m = 0;
      int cur = id;
      while (cur >= 0) {
        run[m++] = cur;
        y += dy;
        z += dz;
        cur = fg.find(x, y, z);
      }
      env.solve(sq, run, m, h);
    }
  }

  /**
   * Lower envelope of the parabolas {@code h^2 (p - q)^2 + f(q)} of a run of {@code m}
   * foreground values at positions 0..m-1 plus background (f = 0) at -1 and m.
   */
  static final class Envelope {
    private final double[] pos;
    private final double[] f;
    private final int[] v;
    private final double[] zb;
    private final double[] result;

    Envelope(int capacity) {
      pos = new double[capacity];
      f = new double[capacity];
      v = new int[capacity];
      zb = new double[capacity + 1];
      result = new double[capacity];
    }

    void solve(double[] sq, int[] run, int m, double h) {
      int cnt = m + 2;
      pos[0] = -1;
      f[0] = 0;
      for (int k = 0; k < m; k++) {
        pos[k + 1] = k;
        f[k + 1] = sq[run[k]];
      }
      pos[m + 1] = m;
      f[m + 1] = 0;
      double h2 = h * h;
      int k = 0;
      v[0] = 0;
      zb[0] = Double.NEGATIVE_INFINITY;
      zb[1] = Double.POSITIVE_INFINITY;
      for (int q = 1; q < cnt; q++) {
        double s;
        while (true) {
          int p = v[k];
          s = ((f[q] + h2 * pos[q] * pos[q]) - (f[p] + h2 * pos[p] * pos[p]))
              / (2 * h2 * (pos[q] - pos[p]));
          if (s <= zb[k] && k > 0) {
            k--;
          } else {
            break;
          }
        }
        k++;
        v[k] = q;
        zb[k] = s;
        zb[k + 1] = Double.POSITIVE_INFINITY;
      }
      k = 0;
      for (int q = 1; q <= m; q++) {
        double p = pos[q];
        while (zb[k + 1] < p) {
          k++;
        }
        double d = p - pos[v[k]];
        result[q] = h2 * d * d + f[v[k]];
      }
      for (int q = 1; q <= m; q++) {
        sq[run[q - 1]] = result[q];
      }
    }
  }
}
