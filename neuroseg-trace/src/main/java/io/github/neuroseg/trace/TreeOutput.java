package io.github.neuroseg.trace;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.tracing.TracerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The kept tree as SWC: physical coordinates of voxel centres, radii from the EDT, smoothing
 * along unbranched runs, somata collapsed into their roots, optional resampling.
 */
final class TreeOutput {
  /** Repeated moving averages approach a Gaussian and flatten voxel staircases better. */
  private static final int SMOOTHING_PASSES = 3;

  private TreeOutput() {}

  /**
   * The SWC tree.
   *
   * @param somata soma roots and the radius (physical) within which their nodes are merged into
   *     them
   */
  static NeuronTree write(VoxelGrid g, MarchedTree tree, byte[] kept, Map<Integer, Double> somata,
      TracerConfig config) {
    ForegroundSet fg = g.fg;
    int[] parent = tree.parent();
    int[] order = tree.order();
    int alive = tree.alive();
    int[] newIndex = new int[fg.size()];
    Arrays.fill(newIndex, -1);
    int count = 0;
    int[] ids = new int[alive];
    for (int t = 0; t < alive; t++) {
      int i = order[t];
      if (kept[i] != 0) {
        newIndex[i] = count;
        ids[count++] = i;
      }
    }
    double[] px = new double[count];
    double[] py = new double[count];
    double[] pz = new double[count];
    double[] pr = new double[count];
    int[] par = new int[count];
    int[] children = new int[count];
    for (int k = 0; k < count; k++) {
      int i = ids[k];
      px[k] = (fg.x(i) + g.ox) * g.vx;
      py[k] = (fg.y(i) + g.oy) * g.vy;
      pz[k] = (fg.z(i) + g.oz) * g.vz;
      pr[k] = g.radius(i);
      par[k] = parent[i] < 0 ? -1 : newIndex[parent[i]];
      if (par[k] >= 0) {
        children[par[k]]++;
      }
    }
    if (config.smoothing() > 0) {
      // the ends of a bridge stay: averaging across a gap would pull nodes into it
      boolean[] fixed = new boolean[count];
      for (int k = 0; k < count; k++) {
        int p = par[k];
        if (p >= 0 && (Math.abs(fg.x(ids[k]) - fg.x(ids[p])) > 1
            || Math.abs(fg.y(ids[k]) - fg.y(ids[p])) > 1
            || Math.abs(fg.z(ids[k]) - fg.z(ids[p])) > 1)) {
          fixed[k] = true;
          fixed[p] = true;
        }
      }
      for (int pass = 0; pass < SMOOTHING_PASSES; pass++) {
        smooth(px, py, pz, pr, par, children, fixed, smoothingWidth(g, config.smoothing()),
            g.unit);
      }
      // a smoothed node that left the foreground goes back to its voxel
      for (int k = 0; k < count; k++) {
        int i = ids[k];
        if (fg.find((int) (Math.round(px[k] / g.vx) - g.ox),
            (int) (Math.round(py[k] / g.vy) - g.oy), (int) (Math.round(pz[k] / g.vz) - g.oz))
            < 0) {
          px[k] = (fg.x(i) + g.ox) * g.vx;
          py[k] = (fg.y(i) + g.oy) * g.vy;
          pz[k] = (fg.z(i) + g.oz) * g.vz;
        }
      }
    }
    if (!somata.isEmpty()) {
      count = collapseSomata(ids, count, px, py, pz, pr, par, somata);
    }
    List<SwcNode> nodes = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      nodes.add(new SwcNode(k + 1L, par[k] < 0 ? 1 : config.neuriteType(), px[k], py[k], pz[k],
          pr[k], par[k] < 0 ? SwcNode.NO_PARENT : par[k] + 1L));
    }
    NeuronTree out = NeuronTree.of(nodes, List.of("APP2-style trace, voxel size " + g.vx + " x "
        + g.vy + " x " + g.vz + " " + g.vs.unit()));
    if (config.resampleStep() > 0) {
      out = out.resample(config.resampleStep() * g.unit);
    }
    return out;
  }

  /**
   * Drops the nodes within a soma's radius of its root and hangs what they held on the root
   * itself, compacting the arrays (parents still first); returns the new node count. The soma
   * becomes one node with the soma's radius, its neurites starting at the centre.
   */
  private static int collapseSomata(int[] ids, int count, double[] px, double[] py, double[] pz,
      double[] pr, int[] par, Map<Integer, Double> somata) {
    // compacted in place: entries below k are already moved, so a root is read at its new index
    int[] root = new int[count];
    int[] newIndex = new int[count];
    int m = 0;
    for (int k = 0; k < count; k++) {
      int p = par[k];
      root[k] = p < 0 ? k : root[p];
      int q = newIndex[root[k]];
      Double r = p < 0 ? null : somata.get(ids[q]);
      if (r != null && Math.sqrt((px[k] - px[q]) * (px[k] - px[q])
          + (py[k] - py[q]) * (py[k] - py[q]) + (pz[k] - pz[q]) * (pz[k] - pz[q])) <= r) {
        newIndex[k] = -1;
        continue;
      }
      newIndex[k] = m;
      ids[m] = ids[k];
      px[m] = px[k];
      py[m] = py[k];
      pz[m] = pz[k];
      pr[m] = pr[k];
      par[m] = p < 0 ? -1 : newIndex[p] >= 0 ? newIndex[p] : q;
      m++;
    }
    return m;
  }

  /**
   * The smoothing half-width in nodes: the configured one, widened by the anisotropy, since the
   * staircase of a path through thick slices is as many nodes long as a slice is thick.
   */
  private static int smoothingWidth(VoxelGrid g, int smoothing) {
    double coarsest = Math.max(g.vx, Math.max(g.vy, g.vz));
    return (int) Math.round(smoothing * Math.max(1, coarsest / g.unit));
  }

  /**
   * Moving average of positions and radii over {@code 2w + 1} nodes along each unbranched run;
   * roots, branch points, tips and {@code fixed} nodes stay in place and end runs. Parents come
   * before children in the arrays.
   */
  private static void smooth(double[] px, double[] py, double[] pz, double[] pr, int[] par,
      int[] children, boolean[] fixed, int w, double unit) {
    int count = px.length;
    // only-child links let a run be walked downwards
    int[] onlyChild = new int[count];
    Arrays.fill(onlyChild, -1);
    for (int k = 0; k < count; k++) {
      if (par[k] >= 0 && children[par[k]] == 1) {
        onlyChild[par[k]] = k;
      }
    }
    double[][] src = {px.clone(), py.clone(), pz.clone(), pr.clone()};
    double[][] dst = {px, py, pz, pr};
    int[] first = new int[count + 1]; // children of k: childList[first[k] .. first[k + 1])
    for (int k = 0; k < count; k++) {
      if (par[k] >= 0) {
        first[par[k] + 1]++;
      }
    }
    for (int k = 0; k < count; k++) {
      first[k + 1] += first[k];
    }
    int[] fill = Arrays.copyOf(first, count);
    int[] childList = new int[count];
    for (int k = 0; k < count; k++) {
      if (par[k] >= 0) {
        childList[fill[par[k]]++] = k;
      }
    }
    int[] run = new int[count + 1];
    for (int k = 0; k < count; k++) {
      // a run starts at a fixed node (root, branch point, bridge end) and follows single children
      if (par[k] >= 0 && children[k] == 1 && !fixed[k]) {
        continue;
      }
      for (int e = first[k]; e < first[k + 1]; e++) {
        int m = 0;
        run[m++] = k;
        int cur = childList[e];
        run[m++] = cur;
        while (children[cur] == 1 && !fixed[cur]) {
          cur = onlyChild[cur];
          run[m++] = cur;
        }
        for (int q = 1; q < m - 1; q++) {
          // thick neurites wobble more inside: average over at least their diameter
          int wq = Math.max(w, (int) Math.round(src[3][run[q]] / unit));
          int lo = Math.max(0, q - wq);
          int hi = Math.min(m - 1, q + wq);
          for (int a = 0; a < 4; a++) {
            double sum = 0;
            for (int t = lo; t <= hi; t++) {
              sum += src[a][run[t]];
            }
            dst[a][run[q]] = sum / (hi - lo + 1);
          }
        }
      }
    }
  }
}
