package io.github.neuroseg.trace;

import io.github.neuroseg.tracing.SpeedSource;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Geodesic fast marching from all seeds at once: Dijkstra on the 26-neighbour graph of the
 * foreground. An edge costs its length (voxels) times the mean voxel cost of its two ends, so the
 * parent pointers run along the cheap voxels: centre lines, or bright lines.
 */
final class FastMarching {
  private static final byte FAR = 0;
  private static final byte TRIAL = 1;
  private static final byte ALIVE = 2;

  private FastMarching() {}

  /**
   * Per-voxel cost factor {@code exp(lambda (1 - s)^2)}, s the speed value scaled to [0, 1]
   * (averaged with the scaled EDT for signal-based speeds).
   */
  static float[] costs(VoxelGrid g, SpeedSource speed, double lambda,
      ComponentTracing.@Nullable Whole whole) {
    ForegroundSet fg = g.fg;
    float[] edt = g.edt;
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
    float maxEdt = 0;
    if (whole != null) {
      // a piece of a larger foreground is scaled as the whole foreground is
      maxEdt = whole.maxDistance();
      if (src == edt) {
        hi = maxEdt;
      } else if (src == fg.values) {
        lo = whole.valueMin();
        hi = whole.valueMax();
      } else {
        lo = whole.intensityMin();
        hi = whole.intensityMax();
      }
    } else {
      for (float v : src) {
        if (Float.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      for (float v : edt) {
        maxEdt = Math.max(maxEdt, v);
      }
    }
    if (speed == SpeedSource.DISTANCE || speed == SpeedSource.AUTO) {
      lo = 0; // distances are relative to the background, not to the thinnest part
    }
    double range = hi - lo;
    boolean blend = src != edt;
    int n = fg.size();
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

  /**
   * Marches from the seeds over every voxel connected to one of them, through 26-neighbours and
   * the bridges (when not {@code null}). Each connected part (its voxels and the seeds in it) is
   * marched on its own, the parts in the order of their first seed, so that a part's tree does
   * not depend on the other parts: a component traced alone traces as among the others.
   */
  static MarchedTree march(VoxelGrid g, int[] seeds, float[] cost,
      GapBridges.@Nullable Links bridges) {
    ForegroundSet fg = g.fg;
    double[] stepLen = new double[27];
    for (int dz = -1; dz <= 1; dz++) {
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          stepLen[(dx + 1) + 3 * (dy + 1) + 9 * (dz + 1)] = Math.sqrt(
              dx * dx * g.vx * g.vx + dy * dy * g.vy * g.vy + dz * dz * g.vz * g.vz) / g.unit;
        }
      }
    }
    int n = fg.size();
    float[] dist = new float[n];
    Arrays.fill(dist, Float.POSITIVE_INFINITY);
    int[] parent = new int[n];
    Arrays.fill(parent, -1);
    byte[] state = new byte[n];
    int[] order = new int[n];
    int alive = 0;
    IndexedHeap heap = new IndexedHeap(dist, n);
    int[] nb = new int[26];
    int[] off = new int[26];
    int[] part = seeds.length > 1 ? new int[n] : null;
    int[] queue = seeds.length > 1 ? new int[n] : null;
    for (int first = 0; first < seeds.length; first++) {
      if (state[seeds[first]] != FAR) {
        continue; // marched with an earlier seed's part (or a repeated seed)
      }
      if (part == null) {
        push(heap, seeds[first], dist, state);
      } else {
        // the part of this seed: every voxel connected to it; its seeds march together
        int tag = first + 1;
        int head = 0;
        int tail = 0;
        queue[tail++] = seeds[first];
        part[seeds[first]] = tag;
        while (head < tail) {
          int i = queue[head++];
          int m = fg.neighbours(i, nb);
          for (int k = 0; k < m; k++) {
            if (part[nb[k]] != tag) {
              part[nb[k]] = tag;
              queue[tail++] = nb[k];
            }
          }
          if (bridges != null) {
            for (int e = bridges.first()[i]; e < bridges.first()[i + 1]; e++) {
              int j = bridges.to()[e];
              if (part[j] != tag) {
                part[j] = tag;
                queue[tail++] = j;
              }
            }
          }
        }
        for (int k = first; k < seeds.length; k++) {
          if (part[seeds[k]] == tag && state[seeds[k]] == FAR) {
            push(heap, seeds[k], dist, state);
          }
        }
      }
      alive = marchPart(g, heap, dist, parent, state, order, alive, cost, bridges, stepLen, nb,
          off);
    }
    return new MarchedTree(parent, order, alive);
  }

  private static void push(IndexedHeap heap, int seed, float[] dist, byte[] state) {
    dist[seed] = 0;
    state[seed] = TRIAL;
    heap.push(seed);
  }

  /** Dijkstra until the heap is empty; returns the new count of alive voxels. */
  private static int marchPart(VoxelGrid g, IndexedHeap heap, float[] dist, int[] parent,
      byte[] state, int[] order, int aliveBefore, float[] cost,
      GapBridges.@Nullable Links bridges, double[] stepLen, int[] nb, int[] off) {
    ForegroundSet fg = g.fg;
    int alive = aliveBefore;
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
      if (bridges != null) {
        for (int e = bridges.first()[i]; e < bridges.first()[i + 1]; e++) {
          int j = bridges.to()[e];
          if (state[j] == ALIVE) {
            continue;
          }
          float nd = dist[i] + bridges.cost()[e];
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
    return alive;
  }

  /** Indexed binary min-heap of ids keyed by {@code key[id]}. */
  static final class IndexedHeap {
    private final float[] key;
    private final int[] heap;
    private final int[] pos;
    private int size;

    IndexedHeap(float[] key, int capacity) {
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

    /** Restores the order after {@code key[id]} decreased. */
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
}
