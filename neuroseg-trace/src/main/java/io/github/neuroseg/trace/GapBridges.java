package io.github.neuroseg.trace;

import java.util.Arrays;

/**
 * Bridges over short gaps between the pieces of a broken neurite. Every end of a traced tree (a
 * tip, or a root with a single branch; not a lone node, which has no direction) looks along its
 * own direction: the nearest foreground voxel of another traced component (one of the minimum
 * size) within the angle and the search radius is linked to it when the straight line between
 * them crosses at most the allowed length of background. The links become
 * extra edges of fast marching, so linked components trace as one tree.
 */
final class GapBridges {
  private final VoxelGrid g;
  private final ComponentSeeds.Components comps;
  /** Longest gap, voxels. */
  private final double gap;
  private final double cosAngle;
  private final int minSize;

  /**
   * The bridges as extra edges, both directions, in compressed rows.
   *
   * @param first the edges of voxel i are {@code first[i] .. first[i + 1] - 1}
   * @param to the voxel at the other end of each edge
   * @param cost the marching cost of each edge
   * @param pairs the bridged voxel pairs, {@code 2k} and {@code 2k + 1}
   */
  record Links(int[] first, int[] to, float[] cost, int[] pairs) {
    int count() {
      return pairs.length / 2;
    }
  }

  /**
   * Bridges of at most {@code gapVoxels} of background within {@code angleDegrees} of an end's
   * direction, to components of at least {@code minSize} voxels.
   */
  GapBridges(VoxelGrid g, ComponentSeeds.Components comps, double gapVoxels, double angleDegrees,
      int minSize) {
    this.g = g;
    this.comps = comps;
    this.minSize = minSize;
    this.gap = gapVoxels;
    this.cosAngle = Math.cos(Math.toRadians(angleDegrees));
  }

  /**
   * Finds the bridges from the ends of the kept trees.
   *
   * @param voxelCost the marching cost of a voxel of no speed, per voxel of bridge length: a
   *     bridge is crossed as slowly as the slowest foreground, so a piece is entered through its
   *     cheapest bridge only
   */
  Links find(MarchedTree tree, byte[] kept, double voxelCost) {
    int n = g.size();
    int[] parent = tree.parent();
    int[] order = tree.order();
    int[] keptChildren = new int[n];
    int[] aChild = new int[n]; // a kept child of each node, -1 for none
    Arrays.fill(aChild, -1);
    for (int t = 0; t < tree.alive(); t++) {
      int i = order[t];
      if (kept[i] != 0 && parent[i] >= 0) {
        keptChildren[parent[i]]++;
        aChild[parent[i]] = i;
      }
    }
    ForegroundSet.IntList pairs = new ForegroundSet.IntList();
    double[] dir = new double[3];
    for (int t = 0; t < tree.alive(); t++) {
      int e = order[t];
      if (kept[e] == 0) {
        continue;
      }
      boolean root = parent[e] < 0;
      boolean end = keptChildren[e] == 0 || root && keptChildren[e] == 1;
      if (!end) {
        continue;
      }
      // a lone node has no direction to look in
      if (!direction(e, root && keptChildren[e] == 1, parent, aChild, dir)) {
        continue;
      }
      int target = nearestInCone(e, dir);
      if (target >= 0 && backgroundCrossed(e, target) <= gap) {
        pairs.add(e);
        pairs.add(target);
      }
    }
    return links(pairs.toArray(), voxelCost);
  }

  /**
   * The unit direction (physical) in which the end {@code e} points: from the node a few radii
   * back along its path to {@code e}. A tip's path runs through its parents, a root's through
   * its only kept branch. Returns false for a lone node, which has no direction.
   */
  private boolean direction(int e, boolean down, int[] parent, int[] aChild, double[] dir) {
    double wanted = 3 + 2 * g.radius(e) / g.unit;
    double walked = 0;
    int cur = e;
    while (walked < wanted) {
      int next = down ? aChild[cur] : parent[cur];
      if (next < 0) {
        break;
      }
      walked += g.length(cur, next);
      cur = next;
    }
    if (cur == e) {
      return false;
    }
    ForegroundSet fg = g.fg;
    dir[0] = (fg.x(e) - fg.x(cur)) * g.vx;
    dir[1] = (fg.y(e) - fg.y(cur)) * g.vy;
    dir[2] = (fg.z(e) - fg.z(cur)) * g.vz;
    double norm = Math.sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    for (int d = 0; d < 3; d++) {
      dir[d] /= norm;
    }
    return true;
  }

  /**
   * The nearest foreground voxel of another component within the search radius (the end's
   * distance to the background, the gap and one voxel) and within the angle of {@code dir}
   * -1 when there is none.
   */
  private int nearestInCone(int e, double[] dir) {
    ForegroundSet fg = g.fg;
    int own = comps.label()[e];
    double coarsest = Math.max(g.vx, Math.max(g.vy, g.vz));
    double reach = g.edt[e] + (gap + 1) * g.unit + coarsest;
    int x0 = fg.x(e);
    int y0 = fg.y(e);
    int z0 = fg.z(e);
    int rz = (int) Math.floor(reach / g.vz);
    int ry = (int) Math.floor(reach / g.vy);
    int best = -1;
    double bestD2 = Double.POSITIVE_INFINITY;
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
        double wy = dy * g.vy;
        double wz = dz * g.vz;
        double rest = reach * reach - wy * wy - wz * wz;
        if (rest < 0) {
          continue;
        }
        int ext = (int) Math.floor(Math.sqrt(rest) / g.vx);
        int row = y + fg.ny * z;
        int end = fg.rowStart[row + 1];
        for (int i = fg.lowerBound(fg.rowStart[row], end, x0 - ext);
            i < end && fg.xs[i] <= x0 + ext; i++) {
          int c = comps.label()[i];
          if (c == own || comps.size()[c] < minSize) {
            continue; // specks stay ignored; a bridge may pass over them
          }
          double wx = (fg.xs[i] - x0) * g.vx;
          double d2 = wx * wx + wy * wy + wz * wz;
          if (d2 > bestD2 || d2 == bestD2 && i > best) {
            continue;
          }
          if (wx * dir[0] + wy * dir[1] + wz * dir[2] < cosAngle * Math.sqrt(d2)) {
            continue;
          }
          best = i;
          bestD2 = d2;
        }
      }
    }
    return best;
  }

  /**
   * The length (voxels) of background the straight line between two voxel centres crosses,
   * sampled four times per voxel along its longest axis. Foreground on the way (a speck in the
   * gap) is not gap; a large third component cannot be on it, as it would be the nearer target.
   */
  private double backgroundCrossed(int a, int b) {
    ForegroundSet fg = g.fg;
    int ax = fg.x(a);
    int ay = fg.y(a);
    int az = fg.z(a);
    int dx = fg.x(b) - ax;
    int dy = fg.y(b) - ay;
    int dz = fg.z(b) - az;
    int samples = 4 * Math.max(Math.abs(dx), Math.max(Math.abs(dy), Math.abs(dz)));
    int background = 0;
    for (int s = 1; s < samples; s++) {
      double f = (double) s / samples;
      int id = fg.find((int) Math.round(ax + f * dx), (int) Math.round(ay + f * dy),
          (int) Math.round(az + f * dz));
      if (id < 0) {
        background++;
      }
    }
    return samples == 0 ? 0 : g.length(a, b) * background / samples;
  }

  /** The pairs as edges in both directions. */
  private Links links(int[] pairs, double voxelCost) {
    int n = g.size();
    int[] first = new int[n + 1];
    for (int v : pairs) {
      first[v + 1]++;
    }
    for (int i = 0; i < n; i++) {
      first[i + 1] += first[i];
    }
    int[] fill = Arrays.copyOf(first, n);
    int[] to = new int[pairs.length];
    float[] cost = new float[pairs.length];
    for (int k = 0; k < pairs.length; k += 2) {
      int a = pairs[k];
      int b = pairs[k + 1];
      float c = (float) (g.length(a, b) * voxelCost);
      to[fill[a]] = b;
      cost[fill[a]++] = c;
      to[fill[b]] = a;
      cost[fill[b]++] = c;
    }
    return new Links(first, to, cost, pairs);
  }
}
