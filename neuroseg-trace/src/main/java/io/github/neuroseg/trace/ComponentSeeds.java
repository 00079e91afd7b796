package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.tracing.Seed;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Where traces start: the user's seeds, or one automatic seed per large component. */
final class ComponentSeeds {
  private ComponentSeeds() {}

  /**
   * The user's seeds as foreground ids (duplicates removed).
   *
   * @throws InvalidInputException for a seed outside the foreground
   */
  static int[] user(ForegroundSet fg, List<Seed> seeds) {
    int[] out = new int[seeds.size()];
    int k = 0;
    for (Seed s : seeds) {
      int id = s.x() < fg.nx && s.y() < fg.ny && s.z() < fg.nz
          ? fg.find((int) s.x(), (int) s.y(), (int) s.z()) : -1;
      if (id < 0) {
        throw new InvalidInputException("seed (" + s.x() + ", " + s.y() + ", " + s.z()
            + ") is not a foreground voxel of the " + fg.nx + " x " + fg.ny + " x " + fg.nz
            + " image");
      }
      out[k++] = id;
    }
    return Arrays.stream(out).distinct().toArray();
  }

  /**
   * The 26-connected components of the foreground.
   *
   * @param label the component of each voxel, 0..count-1
   * @param size the number of voxels of each component
   * @param best each component's voxel of largest distance to the background (the lowest id
   *     among equals, so traces are deterministic)
   */
  record Components(int[] label, int[] size, int[] best) {
    int count() {
      return size.length;
    }
  }

  /** Labels the components breadth-first. */
  static Components components(VoxelGrid g) {
    ForegroundSet fg = g.fg;
    float[] edt = g.edt;
    int n = fg.size();
    int[] label = new int[n];
    Arrays.fill(label, -1);
    int[] queue = new int[n];
    int[] nb = new int[26];
    ForegroundSet.IntList sizes = new ForegroundSet.IntList();
    ForegroundSet.IntList bests = new ForegroundSet.IntList();
    int comp = 0;
    for (int start = 0; start < n; start++) {
      if (label[start] >= 0) {
        continue;
      }
      int head = 0;
      int tail = 0;
      queue[tail++] = start;
      label[start] = comp;
      int best = start;
      while (head < tail) {
        int i = queue[head++];
        if (edt[i] > edt[best] || edt[i] == edt[best] && i < best) {
          best = i;
        }
        int m = fg.neighbours(i, nb);
        for (int k = 0; k < m; k++) {
          int j = nb[k];
          if (label[j] < 0) {
            label[j] = comp;
            queue[tail++] = j;
          }
        }
      }
      sizes.add(tail);
      bests.add(best);
      comp++;
    }
    return new Components(label, sizes.toArray(), bests.toArray());
  }

  /**
   * One seed per component of at least {@code minSize} voxels, at its voxel farthest from the
   * background (the soma centre).
   */
  static int[] automatic(Components c, int minSize) {
    ForegroundSet.IntList result = new ForegroundSet.IntList();
    for (int k = 0; k < c.count(); k++) {
      if (c.size()[k] >= minSize) {
        result.add(c.best()[k]);
      }
    }
    return result.toArray();
  }

  /**
   * An automatic seed that is no wider than its branch and has a single kept branch lies inside
   * a neurite, not in a soma: the part of the neurite behind it was pruned as a short stub. Such
   * a seed moves (in place in {@code seeds}) to the trimmed far end of its longest path, so that
   * a second trace covers the whole neurite. Only the seeds marked in {@code eligible} (all when
   * it is {@code null}) are considered. Returns whether any seed moved.
   */
  static boolean moveNeuriteSeeds(int[] seeds, boolean @Nullable [] eligible, VoxelGrid g,
      MarchedTree tree, HierarchicalPruning.Result pruned) {
    boolean moved = false;
    int[] nb = new int[26];
    int[] parent = tree.parent();
    byte[] kept = pruned.kept();
    float[] edt = g.edt;
    for (int s = 0; s < seeds.length; s++) {
      if (eligible != null && !eligible[s]) {
        continue;
      }
      int root = seeds[s];
      int keptChildren = 0;
      int m = g.fg.neighbours(root, nb);
      for (int k = 0; k < m; k++) {
        if (kept[nb[k]] != 0 && parent[nb[k]] == root) {
          keptChildren++;
        }
      }
      int tip = pruned.rootTip().getOrDefault(root, -1);
      if (keptChildren != 1 || tip < 0 || tip == root) {
        continue;
      }
      // median EDT along the kept root path
      ForegroundSet.IntList path = new ForegroundSet.IntList();
      for (int i = tip; i >= 0; i = parent[i]) {
        path.add(i);
      }
      float[] radii = new float[path.size];
      for (int k = 0; k < path.size; k++) {
        radii[k] = edt[path.data[k]];
      }
      Arrays.sort(radii);
      // half a voxel of slack: in thin neurites the EDT of voxel centres varies by that much
      if (edt[root] <= 1.25 * radii[radii.length / 2] + 0.5 * g.unit) {
        seeds[s] = tip;
        moved = true;
      }
    }
    return moved;
  }
}
