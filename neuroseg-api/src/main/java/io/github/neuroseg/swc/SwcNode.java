package io.github.neuroseg.swc;

import io.github.neuroseg.InvalidInputException;
import java.util.List;

/**
 * One SWC sample point.
 *
 * @param id unique positive identifier within its tree
 * @param structure SWC structure code (see {@link StructureType}); kept as given
 * @param x position along x (voxels or physical units, as the tree's source)
 * @param y position along y
 * @param z position along z
 * @param radius radius in the same units, {@code >= 0}
 * @param parent the parent's id, or a negative value ({@link #NO_PARENT}) for a root
 * @param extras additional columns (ESWC and similar), kept in order; empty for plain SWC
 */
public record SwcNode(
    long id, int structure, double x, double y, double z, double radius, long parent,
    List<Double> extras) {

  /** The parent value of a root node. */
  public static final long NO_PARENT = -1;

  public SwcNode {
    if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
      throw new InvalidInputException(
          "node " + id + ": coordinates must be finite, got (" + x + ", " + y + ", " + z + ")");
    }
    if (!(radius >= 0) || Double.isInfinite(radius)) {
      throw new InvalidInputException(
          "node " + id + ": radius must be finite and >= 0, got " + radius);
    }
    if (parent == id) {
      throw new InvalidInputException("node " + id + " is its own parent");
    }
    extras = List.copyOf(extras);
  }

  /** A plain SWC node without extra columns. */
  public SwcNode(long id, int structure, double x, double y, double z, double radius, long parent) {
    this(id, structure, x, y, z, radius, parent, List.of());
  }

  /** The standard type of {@link #structure()}. */
  public StructureType structureType() {
    return StructureType.of(structure);
  }

  /** Whether this node has no parent: any negative parent value means none, as in SWC files. */
  public boolean isRoot() {
    return parent < 0;
  }

  /** Euclidean distance between the two nodes' positions. */
  public double distanceTo(SwcNode other) {
    double dx = x - other.x;
    double dy = y - other.y;
    double dz = z - other.z;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}
