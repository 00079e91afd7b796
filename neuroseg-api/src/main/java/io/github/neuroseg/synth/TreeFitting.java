package io.github.neuroseg.synth;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;

/**
 * Fits a tree (e.g. a micron-scale reconstruction of a whole neuron) into a volume for rendering:
 * one uniform scale factor and a translation make the node bounding box fill the volume minus a
 * margin and centre it, keeping the tree's proportions; radii are scaled by the same factor and
 * then clamped to a sensible range in voxels.
 */
public final class TreeFitting {
  /** Default smallest radius after fitting: 0.5 voxel (in-plane). */
  public static final double DEFAULT_MIN_RADIUS_VOXELS = 0.5;

  /** Default largest radius after fitting: 12 voxels (in-plane). */
  public static final double DEFAULT_MAX_RADIUS_VOXELS = 12;

  private TreeFitting() {}

  /** Fits with radii clamped to the default 0.5..12 voxels. */
  public static NeuronTree fit(NeuronTree tree, long[] dims, VoxelSize voxelSize,
      double marginVoxels) {
    return fit(tree, dims, voxelSize, marginVoxels, DEFAULT_MIN_RADIUS_VOXELS,
        DEFAULT_MAX_RADIUS_VOXELS);
  }

  /**
   * The tree scaled and moved into a volume of {@code dims} voxels of {@code voxelSize}.
   *
   * <p>The result is in physical units of {@code voxelSize} (as {@link GroundTruth} and {@link
   * NeuronRenderer} expect). Along each axis the available extent is {@code (dims - 1 - 2 *
   * margin) * voxel size}; the factor is the largest one that fits on all axes where the tree has
   * extent. Radii are multiplied by the factor, then clamped to {@code [minRadiusVoxels,
   * maxRadiusVoxels] * min(vx, vy)}.
   *
   * @throws InvalidInputException for an empty tree, bad dimensions, or a margin that leaves no
   *     room
   */
  public static NeuronTree fit(NeuronTree tree, long[] dims, VoxelSize voxelSize,
      double marginVoxels, double minRadiusVoxels, double maxRadiusVoxels) {
    GroundTruth.checkDims(dims);
    if (tree.isEmpty()) {
      throw new InvalidInputException("cannot fit an empty tree into a volume");
    }
    if (!(minRadiusVoxels >= 0) || !(maxRadiusVoxels >= minRadiusVoxels)
        || Double.isInfinite(maxRadiusVoxels)) {
      throw new InvalidInputException("need 0 <= min radius <= max radius (finite), got "
          + minRadiusVoxels + " and " + maxRadiusVoxels);
    }
    double[] box = tree.boundingBox();
    double[] avail = new double[3];
    double scale = Double.POSITIVE_INFINITY;
    for (int d = 0; d < 3; d++) {
      avail[d] = (dims[d] - 1 - 2 * marginVoxels) * voxelSize.along(d);
      if (!(avail[d] >= 0)) {
        throw new InvalidInputException("a margin of " + marginVoxels
            + " voxels leaves no room in a volume of " + dims[d] + " voxels along axis " + d);
      }
      double extent = box[d + 3] - box[d];
      if (extent > 0) {
        scale = Math.min(scale, avail[d] / extent);
      }
    }
    if (Double.isInfinite(scale)) {
      scale = 1; // a single point: only centre it
    }
    double s = scale;
    double inPlane = Math.min(voxelSize.x(), voxelSize.y());
    double rmin = minRadiusVoxels * inPlane;
    double rmax = maxRadiusVoxels * inPlane;
    double[] shift = new double[3];
    for (int d = 0; d < 3; d++) {
      double centre = (box[d] + box[d + 3]) / 2 * s;
      shift[d] = (dims[d] - 1) * voxelSize.along(d) / 2 - centre;
    }
    return tree.map(n -> new SwcNode(n.id(), n.structure(), n.x() * s + shift[0],
        n.y() * s + shift[1], n.z() * s + shift[2],
        Math.max(rmin, Math.min(rmax, n.radius() * s)), n.parent(), n.extras()));
  }
}
