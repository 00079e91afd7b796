package io.github.neuroseg.swc;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An immutable neuron reconstruction: a forest of {@link SwcNode}s linked by parent ids.
 *
 * <p>Construction validates the structure (unique ids, every parent present, no cycles), so a
 * {@code NeuronTree} in hand is always a valid forest. Node order is kept as given; {@link
 * #equals} compares nodes in order.
 */
public final class NeuronTree {

  private final List<SwcNode> nodes;
  private final Map<Long, Integer> indexById;
  private final int[] parentIndex;
  private final int[][] childIndex;
  private final List<String> comments;

  private NeuronTree(List<SwcNode> nodes, List<String> comments) {
    this.nodes = List.copyOf(nodes);
    this.comments = List.copyOf(comments);
    int n = this.nodes.size();
    this.indexById = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      SwcNode node = this.nodes.get(i);
      if (node.id() < 0) {
        throw new InvalidInputException("node id must be >= 0, got " + node.id());
      }
      Integer previous = indexById.put(node.id(), i);
      if (previous != null) {
        throw new InvalidInputException("duplicate node id " + node.id());
      }
    }
    this.parentIndex = new int[n];
    int[] childCount = new int[n];
    for (int i = 0; i < n; i++) {
      SwcNode node = this.nodes.get(i);
      if (node.isRoot()) {
        parentIndex[i] = -1;
      } else {
        Integer p = indexById.get(node.parent());
        if (p == null) {
          throw new InvalidInputException(
              "node " + node.id() + " names parent " + node.parent() + ", which does not exist");
        }
        parentIndex[i] = p;
        childCount[p]++;
      }
    }
    this.childIndex = new int[n][];
    for (int i = 0; i < n; i++) {
      childIndex[i] = new int[childCount[i]];
    }
    int[] fill = new int[n];
    for (int i = 0; i < n; i++) {
      int p = parentIndex[i];
      if (p >= 0) {
        childIndex[p][fill[p]++] = i;
      }
    }
    checkAcyclic();
  }

  /** Every node must reach a root; nodes on a cycle never do. */
  private void checkAcyclic() {
    int i = nodeOnCycle(parentIndex);
    if (i >= 0) {
      throw new InvalidInputException("cycle in parent links through node " + nodes.get(i).id());
    }
  }

  /**
   * The index of a node on a parent cycle, or -1 when every node reaches a root. Linear: each
   * node is walked once.
   *
   * @param parentIndex index of each node's parent, -1 for a root
   */
  static int nodeOnCycle(int[] parentIndex) {
    int n = parentIndex.length;
    byte[] state = new byte[n]; // 0 unknown, 1 on current walk, 2 reaches a root
    int[] walk = new int[n];
    for (int start = 0; start < n; start++) {
      int len = 0;
      int i = start;
      while (i >= 0 && state[i] == 0) {
        state[i] = 1;
        walk[len++] = i;
        i = parentIndex[i];
      }
      if (i >= 0 && state[i] == 1) {
        return i;
      }
      for (int k = 0; k < len; k++) {
        state[walk[k]] = 2;
      }
    }
    return -1;
  }

  /**
   * A tree of the given nodes.
   *
   * @throws InvalidInputException on duplicate ids, missing parents or cycles
   */
  public static NeuronTree of(List<SwcNode> nodes) {
    return new NeuronTree(nodes, List.of());
  }

  /** A tree of the given nodes with header comments (without the leading {@code #}). */
  public static NeuronTree of(List<SwcNode> nodes, List<String> comments) {
    return new NeuronTree(nodes, comments);
  }

  /** The tree without nodes. */
  public static NeuronTree empty() {
    return new NeuronTree(List.of(), List.of());
  }

  /** All nodes in their original order. */
  public List<SwcNode> nodes() {
    return nodes;
  }

  /** Header comments, without the leading {@code #}. */
  public List<String> comments() {
    return comments;
  }

  /** Number of nodes. */
  public int size() {
    return nodes.size();
  }

  /** Whether there are no nodes. */
  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  /** The node with this id, or {@code null}. */
  public @Nullable SwcNode node(long id) {
    Integer i = indexById.get(id);
    return i == null ? null : nodes.get(i);
  }

  /** The parent of a node, or {@code null} for a root. */
  public @Nullable SwcNode parentOf(SwcNode node) {
    int p = parentIndex[indexOf(node.id())];
    return p < 0 ? null : nodes.get(p);
  }

  /** The children of the node with this id, in node order. */
  public List<SwcNode> children(long id) {
    int[] c = childIndex[indexOf(id)];
    List<SwcNode> out = new ArrayList<>(c.length);
    for (int i : c) {
      out.add(nodes.get(i));
    }
    return Collections.unmodifiableList(out);
  }

  /** Root nodes (one per tree of the forest), in node order. */
  public List<SwcNode> roots() {
    List<SwcNode> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (parentIndex[i] < 0) {
        out.add(nodes.get(i));
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Nodes without children. */
  public List<SwcNode> leaves() {
    List<SwcNode> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (childIndex[i].length == 0) {
        out.add(nodes.get(i));
      }
    }
    return Collections.unmodifiableList(out);
  }

  private int indexOf(long id) {
    Integer i = indexById.get(id);
    if (i == null) {
      throw new InvalidInputException("no node with id " + id);
    }
    return i;
  }

  /** Sum of the lengths of all parent-child edges. */
  public double pathLength() {
    double sum = 0;
    for (int i = 0; i < nodes.size(); i++) {
      int p = parentIndex[i];
      if (p >= 0) {
        sum += nodes.get(i).distanceTo(nodes.get(p));
      }
    }
    return sum;
  }

  /**
   * Axis-aligned bounding box of the node centres: {@code [minX, minY, minZ, maxX, maxY, maxZ]}.
   *
   * @throws InvalidInputException for an empty tree
   */
  public double[] boundingBox() {
    if (nodes.isEmpty()) {
      throw new InvalidInputException("an empty tree has no bounding box");
    }
    double[] box = {
      Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY
    };
    for (SwcNode n : nodes) {
      box[0] = Math.min(box[0], n.x());
      box[1] = Math.min(box[1], n.y());
      box[2] = Math.min(box[2], n.z());
      box[3] = Math.max(box[3], n.x());
      box[4] = Math.max(box[4], n.y());
      box[5] = Math.max(box[5], n.z());
    }
    return box;
  }

  /**
   * The nodes whose positions lie in a box (bounds included), e.g. a prediction restricted to a
   * reference's region before scoring. Ids, order, radii, extra columns and comments are kept; a
   * kept node whose parent is dropped becomes a root, so the result is a valid forest. Nodes
   * are points: an edge leaving the box ends at its last node inside (resample first, {@link
   * #resample}, to cut closer to the box's faces).
   *
   * @param box {@code [minX, minY, minZ, maxX, maxY, maxZ]}, as {@link #boundingBox()} gives it
   * @throws InvalidInputException when {@code box} does not have six values or a minimum
   *     exceeds its maximum
   */
  public NeuronTree crop(double[] box) {
    if (box.length != 6 || !(box[0] <= box[3]) || !(box[1] <= box[4]) || !(box[2] <= box[5])) {
      throw new InvalidInputException(
          "a box is [minX, minY, minZ, maxX, maxY, maxZ] with min <= max, got "
              + Arrays.toString(box));
    }
    boolean[] inside = new boolean[nodes.size()];
    for (int i = 0; i < inside.length; i++) {
      SwcNode n = nodes.get(i);
      inside[i] = n.x() >= box[0] && n.x() <= box[3] && n.y() >= box[1] && n.y() <= box[4]
          && n.z() >= box[2] && n.z() <= box[5];
    }
    List<SwcNode> out = new ArrayList<>();
    for (int i = 0; i < inside.length; i++) {
      if (inside[i]) {
        SwcNode n = nodes.get(i);
        int p = parentIndex[i];
        out.add(p >= 0 && !inside[p]
            ? new SwcNode(n.id(), n.structure(), n.x(), n.y(), n.z(), n.radius(),
                SwcNode.NO_PARENT, n.extras())
            : n);
      }
    }
    return new NeuronTree(out, comments);
  }

  /** The tree with every node changed by {@code f}; ids and parents must stay consistent. */
  public NeuronTree map(UnaryOperator<SwcNode> f) {
    List<SwcNode> out = new ArrayList<>(nodes.size());
    for (SwcNode n : nodes) {
      out.add(f.apply(n));
    }
    return new NeuronTree(out, comments);
  }

  /** The tree moved by {@code (dx, dy, dz)}. */
  public NeuronTree translate(double dx, double dy, double dz) {
    return map(n -> new SwcNode(n.id(), n.structure(), n.x() + dx, n.y() + dy, n.z() + dz,
        n.radius(), n.parent(), n.extras()));
  }

  /**
   * Coordinates multiplied per axis; radii multiplied by the mean of the x and y factors (radii
   * are measured in the imaging plane).
   */
  public NeuronTree scale(double sx, double sy, double sz) {
    if (!(sx > 0) || !(sy > 0) || !(sz > 0)) {
      throw new InvalidInputException(
          "scale factors must be > 0, got " + sx + ", " + sy + ", " + sz);
    }
    return scale(sx, sy, sz, (sx + sy) / 2);
  }

  private NeuronTree scale(double sx, double sy, double sz, double sr) {
    return map(n -> new SwcNode(n.id(), n.structure(), n.x() * sx, n.y() * sy, n.z() * sz,
        n.radius() * sr, n.parent(), n.extras()));
  }

  /**
   * Voxel coordinates to physical coordinates for the given voxel size; radii are multiplied by
   * the mean of the x and y voxel sizes.
   */
  public NeuronTree toPhysical(VoxelSize size) {
    return scale(size.x(), size.y(), size.z());
  }

  /**
   * Physical coordinates to voxel coordinates for the given voxel size; the exact inverse of
   * {@link #toPhysical} (radii are divided by the mean in-plane voxel size, not multiplied by the
   * mean of the reciprocals, which would differ for anisotropic x and y).
   */
  public NeuronTree toVoxels(VoxelSize size) {
    return scale(1 / size.x(), 1 / size.y(), 1 / size.z(), 2 / (size.x() + size.y()));
  }

  /**
   * Resamples every unbranched segment at a fixed arc-length step, keeping roots, branch points
   * and tips in place and the topology unchanged. Radii and structure codes are interpolated
   * along the segment (structure from the nearer end); extra columns are dropped. New ids are
   * 1..n in depth-first order.
   *
   * @param step spacing along each segment, {@code > 0}
   */
  public NeuronTree resample(double step) {
    Checks.positiveFinite("resampling step", step);
    List<SwcNode> out = new ArrayList<>();
    long[] newId = new long[nodes.size()];
    Arrays.fill(newId, -1);
    long next = 1;
    int[] stack = new int[nodes.size()];
    for (int r = 0; r < nodes.size(); r++) {
      if (parentIndex[r] >= 0) {
        continue;
      }
      SwcNode root = nodes.get(r);
      newId[r] = next++;
      out.add(new SwcNode(newId[r], root.structure(), root.x(), root.y(), root.z(),
          root.radius(), SwcNode.NO_PARENT));
      int top = 0;
      stack[top++] = r;
      while (top > 0) {
        int start = stack[--top];
        for (int c : childIndex[start]) {
          // follow the unbranched run start -> c -> ... -> end
          List<SwcNode> run = new ArrayList<>();
          run.add(nodes.get(start));
          int cur = c;
          run.add(nodes.get(cur));
          while (childIndex[cur].length == 1) {
            cur = childIndex[cur][0];
            run.add(nodes.get(cur));
          }
          long parentId = newId[start];
          parentId = emitResampled(run, step, parentId, out, next);
          next = out.size() + 1L;
          newId[cur] = parentId;
          stack[top++] = cur;
        }
      }
    }
    return new NeuronTree(out, comments);
  }

  /**
   * Appends nodes every {@code step} along the polyline {@code run} (excluding its first point,
   * which is already emitted, and including its last). Returns the id of the last node appended.
   */
  private static long emitResampled(
      List<SwcNode> run, double step, long parentId, List<SwcNode> out, long firstId) {
    double[] cum = new double[run.size()];
    for (int i = 1; i < run.size(); i++) {
      cum[i] = cum[i - 1] + run.get(i).distanceTo(run.get(i - 1));
    }
    double total = cum[run.size() - 1];
    int pieces = Math.max(1, (int) Math.round(total / step));
    long id = firstId;
    long parent = parentId;
    int seg = 1;
    for (int k = 1; k <= pieces; k++) {
      SwcNode node;
      if (k == pieces) {
        SwcNode last = run.get(run.size() - 1);
        node = new SwcNode(id, last.structure(), last.x(), last.y(), last.z(), last.radius(),
            parent);
      } else {
        double s = total * k / pieces;
        while (seg < run.size() - 1 && cum[seg] < s) {
          seg++;
        }
        SwcNode a = run.get(seg - 1);
        SwcNode b = run.get(seg);
        double len = cum[seg] - cum[seg - 1];
        double t = len == 0 ? 0 : (s - cum[seg - 1]) / len;
        node = new SwcNode(id, t < 0.5 ? a.structure() : b.structure(),
            a.x() + t * (b.x() - a.x()), a.y() + t * (b.y() - a.y()), a.z() + t * (b.z() - a.z()),
            a.radius() + t * (b.radius() - a.radius()), parent);
      }
      out.add(node);
      parent = id;
      id++;
    }
    return parent;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NeuronTree t && nodes.equals(t.nodes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodes);
  }

  @Override
  public String toString() {
    return "NeuronTree[" + nodes.size() + " nodes, " + roots().size() + " roots]";
  }
}
