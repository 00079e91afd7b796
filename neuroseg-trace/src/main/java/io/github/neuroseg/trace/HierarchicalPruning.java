package io.github.neuroseg.trace;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * APP2's hierarchical pruning of the marched tree. The tree is cut into segments: at each branch
 * point the child with the longest path to a leaf continues the segment, the others start new
 * ones. Segments are visited from the longest; one is kept when it hangs off a kept node, is
 * long enough (at least the prune length, and at least a factor times the radius of the neurite
 * where it leaves, since surface noise of a thick neurite sprouts spurs about as long as its
 * radius), and less than the coverage ratio of its nodes lie in the coverage spheres of the
 * segments kept before it. A kept segment's tip is pulled back to where the EDT sphere reaches the
 * leaf, so that terminals end at the branch's end and not at the surface of its cap.
 */
final class HierarchicalPruning {
  /** A stack is "coarser in z" when its slices are this much coarser than its pixels. */
  private static final double COARSER_Z = 1.01;
  /**
   * The most a neurite's height counts for against its width: about the axial elongation of a
   * confocal stack's point spread function (three times the lateral).
   */
  static final double MAX_HEIGHT_RATIO = 3;

  private final VoxelGrid g;
  private final double pruneLength;
  private final double radiusFactor;
  private final double coverageRatio;
  private final double sphereScale;

  /**
   * What pruning keeps.
   *
   * @param kept 1 for every node of the kept tree
   * @param rootTip for every root, the trimmed tip of its longest path
   */
  record Result(byte[] kept, Map<Integer, Integer> rootTip) {}

  HierarchicalPruning(VoxelGrid g, double pruneLength, double radiusFactor, double coverageRatio,
      double sphereScale) {
    this.g = g;
    this.pruneLength = pruneLength;
    this.radiusFactor = radiusFactor;
    this.coverageRatio = coverageRatio;
    this.sphereScale = sphereScale;
  }

  Result prune(MarchedTree tree) {
    int n = g.size();
    int[] parent = tree.parent();
    int[] order = tree.order();
    int alive = tree.alive();
    float[] edt = g.edt;
    float[] down = new float[n]; // longest path length to a leaf (voxels)
    int[] best = new int[n]; // child on that path
    Arrays.fill(best, -1);
    for (int t = alive - 1; t >= 0; t--) {
      int i = order[t];
      int p = parent[i];
      if (p >= 0) {
        float cand = (float) (down[i] + g.length(i, p));
        if (cand > down[p] || best[p] < 0) {
          down[p] = cand;
          best[p] = i;
        }
      }
    }
    // segment tops: roots and children that do not continue their parent's longest path
    ForegroundSet.IntList tops = new ForegroundSet.IntList();
    for (int t = 0; t < alive; t++) {
      int i = order[t];
      int p = parent[i];
      if (p < 0 || best[p] != i) {
        tops.add(i);
      }
    }
    int segs = tops.size;
    long[] keys = new long[segs];
    for (int s = 0; s < segs; s++) {
      int top = tops.data[s];
      int p = parent[top];
      float len = p < 0 ? Float.MAX_VALUE : (float) (down[top] + g.length(top, p));
      keys[s] = ((long) Float.floatToIntBits(len) << 32) | s; // non-negative floats sort as ints
    }
    Arrays.sort(keys);
    byte[] kept = new byte[n];
    byte[] covered = new byte[n];
    int[] seg = new int[Math.max(1, alive)];
    Map<Integer, Integer> rootTip = new HashMap<>();
    for (int k = segs - 1; k >= 0; k--) {
      int top = tops.data[(int) (keys[k] & 0xffffffffL)];
      int p = parent[top];
      boolean root = p < 0;
      float len = Float.intBitsToFloat((int) (keys[k] >>> 32));
      if (!root && len < pruneLength) {
        break; // every remaining segment is shorter
      }
      if (!root && len < radiusFactor * g.radius(p) / g.unit) {
        continue; // shorter than the factor on its parent's width, the least radius there
      }
      if (!root && kept[p] == 0) {
        continue; // hangs off a pruned part
      }
      int m = 0;
      int coveredCount = 0;
      for (int i = top; i >= 0; i = best[i]) {
        seg[m++] = i;
        if (covered[i] != 0) {
          coveredCount++;
        }
      }
      if (!root && coveredCount >= coverageRatio * m) {
        continue;
      }
      int tip = trimmedTip(seg, m);
      if (root) {
        rootTip.put(top, seg[tip]);
      }
      if (!root) {
        double kept0 = g.length(top, p);
        for (int q = 1; q <= tip; q++) {
          kept0 += g.length(seg[q], seg[q - 1]);
        }
        if (tip == 0 || kept0 < pruneLength
            || radiusFactor > 0 && kept0 < radiusFactor * radiusToward(p, seg[tip])) {
          continue;
        }
      }
      for (int q = 0; q <= tip; q++) {
        kept[seg[q]] = 1;
      }
      // neighbouring spheres overlap almost entirely: marking one every quarter radius along the
      // path loses under 1% of the covered radius and saves most of the work in thick parts
      int last = -1;
      for (int q = 0; q < m; q++) {
        int i = seg[q];
        if (last < 0 || q == m - 1
            || g.length(i, last) * g.unit >= 0.25 * sphereScale * edt[last]) {
          markSphere(i, covered);
          last = i;
        }
      }
    }
    return new Result(kept, rootTip);
  }

  /**
   * The radius (voxels) of the neurite at {@code p} in the direction of {@code q}. In a stack
   * whose slices are coarser than its pixels the axial blur makes neurites taller than wide, and
   * their tops and bottoms sprout spurs up and down: there the cross-section is taken as an
   * ellipse of the neurite's width (its distance to the background) and its height (the
   * foreground above or below {@code p}, on the side of {@code q}, at most {@link
   * #MAX_HEIGHT_RATIO} widths). Otherwise it is the width.
   */
  private double radiusToward(int p, int q) {
    double width = g.radius(p) / g.unit;
    if (!(g.vz > Math.max(g.vx, g.vy) * COARSER_Z)) {
      return width;
    }
    ForegroundSet fg = g.fg;
    double dx = (fg.x(q) - fg.x(p)) * g.vx;
    double dy = (fg.y(q) - fg.y(p)) * g.vy;
    double dz = (fg.z(q) - fg.z(p)) * g.vz;
    double norm = Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (dz == 0 || norm == 0) {
      return width;
    }
    int step = dz > 0 ? 1 : -1;
    int above = 0;
    while (above < MAX_HEIGHT_RATIO * width * g.unit / g.vz
        && fg.find(fg.x(p), fg.y(p), fg.z(p) + step * (above + 1)) >= 0) {
      above++;
    }
    // the mask's surface lies half a slice beyond the last foreground voxel
    double height = Math.max(width, Math.min(MAX_HEIGHT_RATIO * width,
        (above + 0.5) * g.vz / g.unit));
    double across = Math.sqrt(dx * dx + dy * dy) / norm / width;
    double up = Math.abs(dz) / norm / height;
    return 1 / Math.sqrt(across * across + up * up);
  }

  /**
   * The index of the last node to keep in a top-to-leaf segment: the first node whose EDT sphere
   * contains the leaf. A path ends on the surface of a branch's end cap; every voxel of a cap of
   * radius r lies within r of its centre while the background is farther. Half a voxel of slack
   * absorbs the discretisation of the EDT on voxel centres (paths step diagonally, so without it
   * a tip can overshoot by a diagonal step).
   */
  private int trimmedTip(int[] seg, int m) {
    int leaf = seg[m - 1];
    for (int j = 0; j < m - 1; j++) {
      double d = g.length(seg[j], leaf) * g.unit;
      if (d <= g.edt[seg[j]] + 0.5 * g.unit) {
        return j;
      }
    }
    return m - 1;
  }

  /**
   * Marks the foreground voxels within the node's coverage sphere: its scaled EDT plus one voxel,
   * because in a neurite only a few voxels wide two paths a voxel apart are the same neurite.
   */
  private void markSphere(int id, byte[] covered) {
    ForegroundSet fg = g.fg;
    double r = sphereScale * g.edt[id] + g.unit;
    int x0 = fg.x(id);
    int y0 = fg.y(id);
    int z0 = fg.z(id);
    int rz = (int) Math.floor(r / g.vz);
    int ry = (int) Math.floor(r / g.vy);
    for (int dz = -rz; dz <= rz; dz++) {
      int z = z0 + dz;
      if (z < 0 || z >= fg.nz) {
        continue;
      }
      for (int dy = -ry; dy <= ry; dy++) {
        int y = y0 + dy;
        if (y < 0 || y >= fg.ny) {
          continue;
        }
        double rest = r * r - dz * g.vz * dz * g.vz - dy * g.vy * dy * g.vy;
        if (rest < 0) {
          continue;
        }
        int ext = (int) Math.floor(Math.sqrt(rest) / g.vx);
        int row = y + fg.ny * z;
        int end = fg.rowStart[row + 1];
        for (int i = fg.lowerBound(fg.rowStart[row], end, x0 - ext);
            i < end && fg.xs[i] <= x0 + ext; i++) {
          covered[i] = 1;
        }
      }
    }
  }
}
