package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.tracing.Seed;
import io.github.neuroseg.tracing.SpeedSource;
import io.github.neuroseg.tracing.TracerConfig;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One tracing of one foreground set; not thread-safe, used once. */
final class TraceRun {
  private static final byte FAR = 0;
  private static final byte TRIAL = 1;
  private static final byte ALIVE = 2;
  /** Repeated moving averages approach a Gaussian and flatten voxel staircases better. */
  private static final int SMOOTHING_PASSES = 3;

  private final ForegroundSet fg;
  private final VoxelSize vs;
  private final TracerConfig config;
  private final SpeedSource speed;
  private final double vx;
  private final double vy;
  private final double vz;
  /** Lengths in "voxels" are physical lengths divided by this (mean in-plane voxel size). */
  private final double unit;
  private final int n;

  private float[] edt = new float[0];
  private int[] parent = new int[0];
  /** Ids in the order fast marching fixed them (parents before children). */
  private int[] order = new int[0];
  private int alive;
  /** For every root, the trimmed tip of its longest path (set by {@link #prune}). */
  private final Map<Integer, Integer> rootTip = new HashMap<>();

  TraceRun(ForegroundSet fg, VoxelSize vs, TracerConfig config, SpeedSource speed) {
    this.fg = fg;
    this.vs = vs;
    this.config = config;
    this.speed = speed;
    this.vx = vs.x();
    this.vy = vs.y();
    this.vz = vs.z();
    this.unit = (vx + vy) / 2;
    this.n = fg.size();
  }

  NeuronTree run() {
    if (n == 0) {
      if (!config.seeds().isEmpty()) {
        throw new InvalidInputException("seeds were given but the foreground is empty");
      }
      return NeuronTree.empty();
    }
    edt = DistanceTransform.compute(fg, vx, vy, vz);
    int[] seeds = seeds();
    if (seeds.length == 0) {
      return NeuronTree.empty();
    }
    float[] cost = costs();
    march(seeds, cost);
    byte[] kept = prune();
    if (config.seeds().isEmpty() && reseed(seeds, kept)) {
      march(seeds, cost);
      kept = prune();
    }
    return output(kept);
  }

  /**
   * An automatic seed that is no wider than its branch and has a single kept branch lies inside
   * a neurite, not in a soma: the part of the neurite behind it was pruned as a short stub. Such
   * a seed moves to the (trimmed) far end of its longest path, so the trace covers the whole
   * neurite. Returns whether any seed moved.
   */
  private boolean reseed(int[] seeds, byte[] kept) {
    boolean moved = false;
    int[] nb = new int[26];
    for (int s = 0; s < seeds.length; s++) {
      int root = seeds[s];
      int keptChildren = 0;
      int m = fg.neighbours(root, nb);
      for (int k = 0; k < m; k++) {
        if (kept[nb[k]] != 0 && parent[nb[k]] == root) {
          keptChildren++;
        }
      }
      int tip = rootTip.getOrDefault(root, -1);
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
      if (edt[root] <= 1.25 * radii[radii.length / 2] + 0.5 * unit) {
        seeds[s] = tip;
        moved = true;
      }
    }
    return moved;
  }

  // ---------------------------------------------------------------- seeds and components

  /** Automatic seeds (largest EDT per large component) or the user's, as foreground ids. */
  private int[] seeds() {
    if (!config.seeds().isEmpty()) {
      int[] out = new int[config.seeds().size()];
      int k = 0;
      for (Seed s : config.seeds()) {
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
    int[] label = new int[n];
    Arrays.fill(label, -1);
    int[] queue = new int[n];
    int[] nb = new int[26];
    ForegroundSet.IntList result = new ForegroundSet.IntList();
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
      if (tail >= config.minComponentSize()) {
        result.add(best);
      }
      comp++;
    }
    return result.toArray();
  }

  // ---------------------------------------------------------------- fast marching

  /**
   * Per-voxel cost factor {@code exp(lambda (1 - s)^2)}, s the speed value scaled to [0, 1]
   * (averaged with the scaled EDT for signal-based speeds).
   */
  private float[] costs() {
    float[] src = switch (speed) {
      case INTENSITY -> fg.intensities;
      case FOREGROUND -> fg.values;
      default -> edt;
    };
    if (src == null) {
      src = edt;
    }
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : src) {
      if (Float.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (speed == SpeedSource.DISTANCE || speed == SpeedSource.AUTO) {
      lo = 0; // distances are relative to the background, not to the thinnest part
    }
    double range = hi - lo;
    double lambda = config.speedContrast();
    float maxEdt = 0;
    for (float v : edt) {
      maxEdt = Math.max(maxEdt, v);
    }
    boolean blend = src != edt;
    float[] c = new float[n];
    for (int i = 0; i < n; i++) {
      double s = range > 0 && Float.isFinite(src[i]) ? (src[i] - lo) / range : 1;
      s = Math.max(0, Math.min(1, s));
      if (blend) {
        // signal alone is noisy and flat across a neurite: keep paths central as well
        s = 0.5 * s + 0.5 * edt[i] / maxEdt;
      }
      c[i] = (float) Math.exp(lambda * (1 - s) * (1 - s));
    }
    return c;
  }

  /** Dijkstra from all seeds at once; fills {@link #parent} and {@link #order}. */
  private void march(int[] seeds, float[] cost) {
    double[] stepLen = new double[27];
    for (int dz = -1; dz <= 1; dz++) {
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          stepLen[(dx + 1) + 3 * (dy + 1) + 9 * (dz + 1)] =
              Math.sqrt(dx * dx * vx * vx + dy * dy * vy * vy + dz * dz * vz * vz) / unit;
        }
      }
    }
    float[] dist = new float[n];
    Arrays.fill(dist, Float.POSITIVE_INFINITY);
    parent = new int[n];
    Arrays.fill(parent, -1);
    byte[] state = new byte[n];
    order = new int[n];
    alive = 0;
    Heap heap = new Heap(dist, n);
    for (int s : seeds) {
      dist[s] = 0;
      state[s] = TRIAL;
      heap.push(s);
    }
    int[] nb = new int[26];
    int[] off = new int[26];
    while (!heap.isEmpty()) {
      int i = heap.pop();
      state[i] = ALIVE;
      order[alive++] = i;
      int m = fg.neighbours(i, nb, off);
      for (int k = 0; k < m; k++) {
        int j = nb[k];
        if (state[j] == ALIVE) {
          continue;
        }
        double w = stepLen[off[k]] * 0.5 * (cost[i] + cost[j]);
        float nd = (float) (dist[i] + w);
        if (nd < dist[j]) {
          dist[j] = nd;
          parent[j] = i;
          if (state[j] == TRIAL) {
            heap.decrease(j);
          } else {
            state[j] = TRIAL;
            heap.push(j);
          }
        }
      }
    }
  }

  /** Indexed binary min-heap of ids keyed by {@code key[id]}. */
  private static final class Heap {
    private final float[] key;
    private final int[] heap;
    private final int[] pos;
    private int size;

    Heap(float[] key, int capacity) {
      this.key = key;
      this.heap = new int[capacity];
      this.pos = new int[capacity];
    }

    boolean isEmpty() {
      return size == 0;
    }

    void push(int id) {
      heap[size] = id;
      pos[id] = size;
      size++;
      up(size - 1);
    }

    void decrease(int id) {
      up(pos[id]);
    }

    int pop() {
      int top = heap[0];
      size--;
      if (size > 0) {
        heap[0] = heap[size];
        pos[heap[0]] = 0;
        down(0);
      }
      return top;
    }

    private void up(int i) {
      int id = heap[i];
      float k = key[id];
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (key[heap[p]] <= k) {
          break;
        }
        heap[i] = heap[p];
        pos[heap[i]] = i;
        i = p;
      }
      heap[i] = id;
      pos[id] = i;
    }

    private void down(int i) {
      int id = heap[i];
      float k = key[id];
      while (true) {
        int c = 2 * i + 1;
        if (c >= size) {
          break;
        }
        if (c + 1 < size && key[heap[c + 1]] < key[heap[c]]) {
          c++;
        }
        if (key[heap[c]] >= k) {
          break;
        }
        heap[i] = heap[c];
        pos[heap[i]] = i;
        i = c;
      }
      heap[i] = id;
      pos[id] = i;
    }
  }

  // ---------------------------------------------------------------- pruning

  private double edgeLength(int a, int b) {
    double dx = (fg.x(a) - fg.x(b)) * vx;
    double dy = (fg.y(a) - fg.y(b)) * vy;
    double dz = (fg.z(a) - fg.z(b)) * vz;
    return Math.sqrt(dx * dx + dy * dy + dz * dz) / unit;
  }

  /** Radius (physical) of a node: EDT less half a voxel, at least half a voxel. */
  private double radius(int id) {
    double half = 0.5 * Math.min(vx, vy);
    return Math.max(half, edt[id] - half);
  }

  /** Hierarchical pruning; returns 1 for every node of the kept tree. */
  private byte[] prune() {
    float[] down = new float[n]; // longest path length to a leaf (voxels)
    int[] best = new int[n]; // child on that path
    Arrays.fill(best, -1);
    for (int t = alive - 1; t >= 0; t--) {
      int i = order[t];
      int p = parent[i];
      if (p >= 0) {
        float cand = (float) (down[i] + edgeLength(i, p));
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
      float len = p < 0 ? Float.MAX_VALUE : (float) (down[top] + edgeLength(top, p));
      keys[s] = ((long) Float.floatToIntBits(len) << 32) | s; // non-negative floats sort as ints
    }
    Arrays.sort(keys);
    byte[] kept = new byte[n];
    byte[] covered = new byte[n];
    int[] seg = new int[Math.max(1, alive)];
    double pruneLength = config.pruneLength();
    for (int k = segs - 1; k >= 0; k--) {
      int top = tops.data[(int) (keys[k] & 0xffffffffL)];
      int p = parent[top];
      boolean root = p < 0;
      float len = Float.intBitsToFloat((int) (keys[k] >>> 32));
      if (!root && len < pruneLength) {
        break; // every remaining segment is shorter
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
      if (!root && coveredCount >= config.coverageRatio() * m) {
        continue;
      }
      int tip = trimmedTip(seg, m);
      if (root) {
        rootTip.put(top, seg[tip]);
      }
      if (!root) {
        double kept0 = edgeLength(top, p);
        for (int q = 1; q <= tip; q++) {
          kept0 += edgeLength(seg[q], seg[q - 1]);
        }
        if (tip == 0 || kept0 < pruneLength) {
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
            || edgeLength(i, last) * unit >= 0.25 * config.sphereScale() * edt[last]) {
          markSphere(i, covered);
          last = i;
        }
      }
    }
    return kept;
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
      double d = edgeLength(seg[j], leaf) * unit;
      if (d <= edt[seg[j]] + 0.5 * unit) {
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
    double r = config.sphereScale() * edt[id] + unit;
    int x0 = fg.x(id);
    int y0 = fg.y(id);
    int z0 = fg.z(id);
    int rz = (int) Math.floor(r / vz);
    int ry = (int) Math.floor(r / vy);
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
        double rest = r * r - dz * vz * dz * vz - dy * vy * dy * vy;
        if (rest < 0) {
          continue;
        }
        int ext = (int) Math.floor(Math.sqrt(rest) / vx);
        int row = y + fg.ny * z;
        int end = fg.rowStart[row + 1];
        for (int i = fg.lowerBound(fg.rowStart[row], end, x0 - ext);
            i < end && fg.xs[i] <= x0 + ext; i++) {
          covered[i] = 1;
        }
      }
    }
  }

  // ---------------------------------------------------------------- output

  private NeuronTree output(byte[] kept) {
    int[] newIndex = new int[n];
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
      px[k] = fg.x(i) * vx;
      py[k] = fg.y(i) * vy;
      pz[k] = fg.z(i) * vz;
      pr[k] = radius(i);
      par[k] = parent[i] < 0 ? -1 : newIndex[parent[i]];
      if (par[k] >= 0) {
        children[par[k]]++;
      }
    }
    if (config.smoothing() > 0) {
      for (int pass = 0; pass < SMOOTHING_PASSES; pass++) {
        smooth(px, py, pz, pr, par, children, smoothingWidth(), unit);
      }
      // a smoothed node that left the foreground goes back to its voxel
      for (int k = 0; k < count; k++) {
        int i = ids[k];
        if (fg.find((int) Math.round(px[k] / vx), (int) Math.round(py[k] / vy),
            (int) Math.round(pz[k] / vz)) < 0) {
          px[k] = fg.x(i) * vx;
          py[k] = fg.y(i) * vy;
          pz[k] = fg.z(i) * vz;
        }
      }
    }
    List<SwcNode> nodes = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      nodes.add(new SwcNode(k + 1L, par[k] < 0 ? 1 : config.neuriteType(), px[k], py[k], pz[k],
          pr[k], par[k] < 0 ? SwcNode.NO_PARENT : par[k] + 1L));
    }
    NeuronTree tree = NeuronTree.of(nodes, List.of(
        "APP2-style trace, voxel size " + vx + " x " + vy + " x " + vz + " " + vs.unit()));
    if (config.resampleStep() > 0) {
      tree = tree.resample(config.resampleStep() * unit);
    }
    return tree;
  }

  /**
   * The smoothing half-width in nodes: the configured one, widened by the anisotropy, since the
   * staircase of a path through thick slices is as many nodes long as a slice is thick.
   */
  private int smoothingWidth() {
    double coarsest = Math.max(vx, Math.max(vy, vz));
    return (int) Math.round(config.smoothing() * Math.max(1, coarsest / unit));
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
