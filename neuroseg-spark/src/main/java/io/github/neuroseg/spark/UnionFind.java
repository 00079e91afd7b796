package io.github.neuroseg.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * A union-find forest over {@code long} keys that can be merged with another, so that Spark
 * builds one per partition from that partition's equivalences and combines them in a tree
 * ({@code treeAggregate}): the distributed union-find of the component labelling. Keys never
 * united are not stored. The representative of a set is its smallest key.
 */
final class UnionFind implements Serializable {
  private static final long serialVersionUID = 1L;
  private final HashMap<Long, Long> parent = new HashMap<>();

  /** The representative of {@code k}'s set (its smallest key). */
  long find(long k) {
    Long p = parent.get(k);
    if (p == null) {
      return k;
    }
    long root = k;
    while (true) {
      Long up = parent.get(root);
      if (up == null || up == root) {
        break;
      }
      root = up;
    }
    // path compression
    long cur = k;
    while (cur != root) {
      long next = parent.get(cur);
      parent.put(cur, root);
      cur = next;
    }
    return root;
  }

  /** Joins the sets of {@code a} and {@code b}; returns this forest. */
  UnionFind union(long a, long b) {
    long ra = find(a);
    long rb = find(b);
    if (ra != rb) {
      long lo = Math.min(ra, rb);
      long hi = Math.max(ra, rb);
      parent.put(hi, lo);
      parent.putIfAbsent(lo, lo);
    }
    return this;
  }

  /** Adds every equivalence of {@code o} to this forest; returns this forest. */
  UnionFind merge(UnionFind o) {
    for (Map.Entry<Long, Long> e : o.parent.entrySet()) {
      union(e.getKey(), e.getValue());
    }
    return this;
  }
}
