package io.github.neuroseg.trace;

import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.tracing.TracerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kept tree as SWC: physical coordinates of voxel centres, radii from the EDT, smoothing
 * along unbranched runs, optional resampling.
 */
final class TreeOutput {
  /** Repeated moving averages approach a Gaussian and flatten voxel staircases better. */
  private static final int SMOOTHING_PASSES = 3;

  private TreeOutput() {}

  static NeuronTree write(VoxelGrid g, MarchedTree tree, byte[] kept, TracerConfig config) {
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
      px[k] = fg.x(i) * g.vx;
      py[k] = fg.y(i) * g.vy;
      pz[k] = fg.z(i) * g.vz;
      pr[k] = g.radius(i);
      par[k] = parent[i] < 0 ? -1 : newIndex[parent[i]];
      if (par[k] >= 0) {
        children[par[k]]++;
      }
    }
    if (config.smoothing() > 0) {
      for (int pass = 0; pass < SMOOTHING_PASSES; pass++) {
        smooth(px, py, pz, pr, par, children, smoothingWidth(g, config.smoothing()), g.unit);
      }
      // a smoothed node that left the foreground goes back to its voxel
      for (int k = 0; k < count; k++) {
        int i = ids[k];
        if (fg.find((int) Math.round(px[k] / g.vx), (int) Math.round(py[k] / g.vy),
            (int) Math.round(pz[k] / g.vz)) < 0) {
          px[k] = fg.x(i) * g.vx;
          py[k] = fg.y(i) * g.vy;
          pz[k] = fg.z(i) * g.vz;
        }
      }
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
   * The smoothing half-width in nodes: the configured one, widened by the anisotropy, since the
   * staircase of a path through thick slices is as many nodes long as a slice is thick.
   */
  private static int smoothingWidth(VoxelGrid g, int smoothing) {
    double coarsest = Math.max(g.vx, Math.max(g.vy, g.vz));
    return (int) Math.round(smoothing * Math.max(1, coarsest / g.unit));
  }

  /**
   * Moving average of positions and radii over {@code 2w + 1} nodes along each unbranched run;
   * roots, branch points and tips stay in place. Parents come before children in the arrays.
   */
  private static void smooth(double[] px, double[] py, double[] pz, double[] pr, int[] par,
      int[] children, int w, double unit) {
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
      // a run starts at a fixed node (root or branch point) and follows single children
      if (par[k] >= 0 && children[k] == 1) {
        continue;
      }
      for (int e = first[k]; e < first[k + 1]; e++) {
        int m = 0;
        run[m++] = k;
        int cur = childList[e];
        run[m++] = cur;
        while (children[cur] == 1) {
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
