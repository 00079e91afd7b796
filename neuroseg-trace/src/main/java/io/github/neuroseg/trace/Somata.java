package io.github.neuroseg.trace;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which roots are somata. A root is a soma when its distance to the background is at least the
 * soma ratio times the radius of the thickest kept neurite where it crosses the sphere of 1.5
 * times that distance (outside the soma, on the neurite), or when no neurite leaves that sphere
 * (a blob). A root in a neurite is about as wide as the neurite there, so it is not one.
 */
final class Somata {
  /** Where a leaving neurite's radius is read, in soma radii from the centre. */
  private static final double SHELL = 1.5;

  private Somata() {}

  /**
   * The soma roots of the kept tree with their collapse radius (physical: the root's distance to
   * the background); empty when {@code ratio} is 0.
   */
  static Map<Integer, Double> find(VoxelGrid g, MarchedTree tree, byte[] kept, double ratio) {
    Map<Integer, Double> out = new HashMap<>();
    if (ratio <= 0) {
      return out;
    }
    int[] parent = tree.parent();
    int[] order = tree.order();
    int[] rootOf = new int[g.size()];
    Arrays.fill(rootOf, -1);
    Map<Integer, Float> leaving = new HashMap<>();
    for (int t = 0; t < tree.alive(); t++) {
      int q = order[t];
      if (kept[q] == 0) {
        continue;
      }
      int p = parent[q];
      if (p < 0) {
        rootOf[q] = q;
        leaving.put(q, 0f);
        continue;
      }
      int r = rootOf[p];
      rootOf[q] = r;
      double shell = SHELL * g.edt[r] / g.unit;
      if (g.length(q, r) >= shell && g.length(p, r) < shell) {
        leaving.merge(r, g.edt[q], Math::max);
      }
    }
    for (Map.Entry<Integer, Float> e : leaving.entrySet()) {
      double r = g.edt[e.getKey()];
      if (r >= ratio * e.getValue()) {
        out.put(e.getKey(), r);
      }
    }
    return out;
  }
}
