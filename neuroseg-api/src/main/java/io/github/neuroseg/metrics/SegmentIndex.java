package io.github.neuroseg.metrics;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import java.util.List;

/**
 * Segments (and degenerate segments, points) in a uniform grid, for exact nearest-segment
 * queries that only look at nearby cells.
 */
final class SegmentIndex {
  private final int count;
  private final double[] ax;
  private final double[] ay;
  private final double[] az;
  private final double[] bx;
  private final double[] by;
  private final double[] bz;
  private final double cell;
  private final double ox;
  private final double oy;
  private final double oz;
  private final int gx;
  private final int gy;
  private final int gz;
  private final int[] start;
  private final int[] items;

  /**
   * The parent-child segments of a tree, as Vaa3D's neuron distance measures to them: nodes
   * without a parent add nothing, unless the tree has no segment at all, when its nodes count as
   * points (Vaa3D leaves that case undefined).
   */
  static SegmentIndex segments(NeuronTree tree) {
    return of(tree, false);
  }

  /**
   * The parent-child segments of a tree and its childless roots as points (a lone node is part
   * of the reconstruction for node matching).
   */
  static SegmentIndex segmentsAndLoneNodes(NeuronTree tree) {
    return of(tree, true);
  }

  private static SegmentIndex of(NeuronTree tree, boolean loneNodes) {
    List<SwcNode> nodes = tree.nodes();
    int size = nodes.size();
    double[] a = new double[3 * size];
    double[] b = new double[3 * size];
    int n = 0;
    for (SwcNode node : nodes) {
      SwcNode p = tree.parentOf(node);
      if (p == null) {
        continue;
      }
      put(a, n, p);
      put(b, n, node);
      n++;
    }
    boolean points = n == 0;
    if (loneNodes || points) {
      for (SwcNode node : nodes) {
        if (node.isRoot() && (points || tree.children(node.id()).isEmpty())) {
          put(a, n, node);
          put(b, n, node);
          n++;
        }
      }
    }
    return new SegmentIndex(a, b, n);
  }

  private static void put(double[] xyz, int i, SwcNode node) {
    xyz[3 * i] = node.x();
    xyz[3 * i + 1] = node.y();
    xyz[3 * i + 2] = node.z();
  }

  /** Segments {@code a[3i..3i+2] -> b[3i..3i+2]} for {@code i < n}. */
  private SegmentIndex(double[] a, double[] b, int n) {
    ax = new double[n];
    ay = new double[n];
    az = new double[n];
    bx = new double[n];
    by = new double[n];
    bz = new double[n];
    double[] box = {
      Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
    };
    for (int i = 0; i < n; i++) {
      ax[i] = a[3 * i];
      ay[i] = a[3 * i + 1];
      az[i] = a[3 * i + 2];
      bx[i] = b[3 * i];
      by[i] = b[3 * i + 1];
      bz[i] = b[3 * i + 2];
      for (int d = 0; d < 3; d++) {
        box[d] = Math.min(box[d], Math.min(a[3 * i + d], b[3 * i + d]));
        box[d + 3] = Math.max(box[d + 3], Math.max(a[3 * i + d], b[3 * i + d]));
      }
    }
    count = n;
    if (n == 0) {
      cell = 1;
      ox = oy = oz = 0;
      gx = gy = gz = 0;
      start = new int[1];
      items = new int[0];
      return;
    }
    ox = box[0];
    oy = box[1];
    oz = box[2];
    double ex = box[3] - box[0];
    double ey = box[4] - box[1];
    double ez = box[5] - box[2];
    // about two segments per cell, never finer than one unit (resampled segments are ~1 long)
    double c = Math.cbrt(Math.max(ex, 1) * Math.max(ey, 1) * Math.max(ez, 1) / (n / 2.0 + 1));
    c = Math.max(c, 1.0);
    // cap the grid at a few cells per segment even for very elongated trees
    while ((ex / c + 1) * (ey / c + 1) * (ez / c + 1) > 8.0 * n + 64) {
      c *= 1.5;
    }
    cell = c;
    gx = (int) (ex / c) + 1;
    gy = (int) (ey / c) + 1;
    gz = (int) (ez / c) + 1;
    int cells = gx * gy * gz;
    start = new int[cells + 1];
    // two passes: count, then fill (compressed rows). A segment goes into every cell it passes
    // through: its bounding box is too coarse for a long diagonal segment, so it is walked in
    // pieces no longer than a cell, each adding the cells of its own bounding box.
    int[] filled = new int[0];
    int[] stamp = new int[cells];
    for (int pass = 0; pass < 2; pass++) {
      int[] fill = pass == 0 ? null : start.clone();
      java.util.Arrays.fill(stamp, -1);
      for (int i = 0; i < n; i++) {
        double ex0 = bx[i] - ax[i];
        double ey0 = by[i] - ay[i];
        double ez0 = bz[i] - az[i];
        double len = Math.sqrt(ex0 * ex0 + ey0 * ey0 + ez0 * ez0);
        int pieces = Math.max(1, (int) Math.ceil(len / c));
        for (int k = 0; k < pieces; k++) {
          double t0 = (double) k / pieces;
          double t1 = (double) (k + 1) / pieces;
          double px0 = ax[i] + t0 * ex0;
          double px1 = k + 1 == pieces ? bx[i] : ax[i] + t1 * ex0;
          double py0 = ay[i] + t0 * ey0;
          double py1 = k + 1 == pieces ? by[i] : ay[i] + t1 * ey0;
          double pz0 = az[i] + t0 * ez0;
          double pz1 = k + 1 == pieces ? bz[i] : az[i] + t1 * ez0;
          // a little slack, so that rounding never drops a cell the segment touches
          int x0 = cx(Math.min(px0, px1) - 1e-9 * c);
          int x1 = cx(Math.max(px0, px1) + 1e-9 * c);
          int y0 = cy(Math.min(py0, py1) - 1e-9 * c);
          int y1 = cy(Math.max(py0, py1) + 1e-9 * c);
          int z0 = cz(Math.min(pz0, pz1) - 1e-9 * c);
          int z1 = cz(Math.max(pz0, pz1) + 1e-9 * c);
          for (int z = z0; z <= z1; z++) {
            for (int y = y0; y <= y1; y++) {
              for (int x = x0; x <= x1; x++) {
                int ci = (z * gy + y) * gx + x;
                if (stamp[ci] == i) {
                  continue;
                }
                stamp[ci] = i;
                if (fill == null) {
                  start[ci + 1]++;
                } else {
                  filled[fill[ci]++] = i;
                }
              }
            }
          }
        }
      }
      if (pass == 0) {
        for (int ci = 0; ci < cells; ci++) {
          start[ci + 1] += start[ci];
        }
        filled = new int[start[cells]];
      }
    }
    items = filled;
  }

  boolean isEmpty() {
    return count == 0;
  }

  private int cx(double x) {
    return clamp((int) Math.floor((x - ox) / cell), gx);
  }

  private int cy(double y) {
    return clamp((int) Math.floor((y - oy) / cell), gy);
  }

  private int cz(double z) {
    return clamp((int) Math.floor((z - oz) / cell), gz);
  }

  private static int clamp(int v, int n) {
    return v < 0 ? 0 : (v >= n ? n - 1 : v);
  }

  /** Distance from {@code (x, y, z)} to the nearest segment; {@code +infinity} when empty. */
  double nearest(double x, double y, double z) {
    if (count == 0) {
      return Double.POSITIVE_INFINITY;
    }
    // home cell, possibly outside the grid
    int hx = (int) Math.floor((x - ox) / cell);
    int hy = (int) Math.floor((y - oy) / cell);
    int hz = (int) Math.floor((z - oz) / cell);
    int maxRing = Math.max(
        Math.max(Math.max(Math.abs(hx), Math.abs(hx - (gx - 1))),
            Math.max(Math.abs(hy), Math.abs(hy - (gy - 1)))),
        Math.max(Math.abs(hz), Math.abs(hz - (gz - 1))));
    double best2 = Double.POSITIVE_INFINITY;
    for (int k = 0; k <= maxRing; k++) {
      // every segment not yet seen has its nearest point in a cell at ring >= k, so at least
      // (k - 1) cells away; stop once the best found is no farther than that
      double bound = (k - 1) * cell;
      if (bound > 0 && best2 <= bound * bound) {
        break;
      }
      int xlo = Math.max(hx - k, 0);
      int xhi = Math.min(hx + k, gx - 1);
      int ylo = Math.max(hy - k, 0);
      int yhi = Math.min(hy + k, gy - 1);
      for (int cxi = xlo; cxi <= xhi; cxi++) {
        for (int cyi = ylo; cyi <= yhi; cyi++) {
          boolean edge = Math.abs(cxi - hx) == k || Math.abs(cyi - hy) == k;
          if (edge) {
            int zlo = Math.max(hz - k, 0);
            int zhi = Math.min(hz + k, gz - 1);
            for (int czi = zlo; czi <= zhi; czi++) {
              best2 = scan((czi * gy + cyi) * gx + cxi, x, y, z, best2);
            }
          } else {
            if (hz - k >= 0 && hz - k < gz) {
              best2 = scan(((hz - k) * gy + cyi) * gx + cxi, x, y, z, best2);
            }
            if (k > 0 && hz + k >= 0 && hz + k < gz) {
              best2 = scan(((hz + k) * gy + cyi) * gx + cxi, x, y, z, best2);
            }
          }
        }
      }
    }
    return Math.sqrt(best2);
  }

  private double scan(int ci, double x, double y, double z, double best2) {
    for (int s = start[ci]; s < start[ci + 1]; s++) {
      int i = items[s];
      double d2 = pointSegment2(x, y, z, ax[i], ay[i], az[i], bx[i], by[i], bz[i]);
      if (d2 < best2) {
        best2 = d2;
      }
    }
    return best2;
  }

  /** Squared distance from a point to the segment {@code a b} (a point when a = b). */
  static double pointSegment2(double x, double y, double z, double ax, double ay, double az,
      double bx, double by, double bz) {
    double ex = bx - ax;
    double ey = by - ay;
    double ez = bz - az;
    double px = x - ax;
    double py = y - ay;
    double pz = z - az;
    double len2 = ex * ex + ey * ey + ez * ez;
    double t = len2 > 0 ? (px * ex + py * ey + pz * ez) / len2 : 0;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double dx = px - t * ex;
    double dy = py - t * ey;
    double dz = pz - t * ez;
    return dx * dx + dy * dy + dz * dz;
  }
}
