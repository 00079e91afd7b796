package io.github.neuroseg.synth;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/**
 * Renders a {@link NeuronTree} into an exact binary mask (unsigned 8-bit, 0 = background, 1 =
 * foreground, laid out x fastest).
 *
 * <p>Geometry. Tree coordinates and radii are physical units of the given {@link VoxelSize}
 * ({@link VoxelSize#UNIT} means voxel coordinates); the centre of voxel {@code (i, j, k)} is at
 * {@code (i * vx, j * vy, k * vz)}. For every parent-child edge {@code a -> b} and a voxel centre
 * {@code p}, let {@code t} be the parameter of the point of segment {@code ab} nearest to {@code
 * p} (clamped to {@code [0, 1]}) and {@code r(t) = ra + t (rb - ra)}. The voxel is foreground
 * when {@code |p - (a + t (b - a))| <= r(t)}: a truncated cone with linearly interpolated radius
 * closed by spheres of the end radii. Every root is also drawn as a sphere of its radius (this
 * draws single-node trees).
 *
 * <p>Minimum radius. So that thin neurites never break up, a voxel is also foreground when its
 * centre lies within {@code minRadius} voxels of the edge measured in voxel coordinates (physical
 * coordinates divided by the voxel size per axis). With isotropic voxels of size {@code s} this is
 * exactly the tube of radius {@code max(r, minRadius * s)}; with anisotropic voxels the clamp is an
 * elliptic tube of {@code minRadius} voxels along every axis, so a thin neurite is one voxel thick
 * in-plane and also in z, without being widened in-plane to the z spacing. The default {@code
 * minRadius} of 1 voxel reaches every voxel centre within half a voxel diagonal, so the mask of an
 * edge is always connected.
 *
 * <p>Only voxels within each edge's bounding box are visited (the geometry is shared with the
 * signal of {@link NeuronRenderer}). Images are limited to {@code Integer.MAX_VALUE} voxels.
 */
public final class GroundTruth {

  /** The default minimum radius in voxels. */
  public static final double DEFAULT_MIN_RADIUS_VOXELS = 1.0;

  private GroundTruth() {}

  /** The mask with the default minimum radius of one voxel. */
  public static ArrayImg<UnsignedByteType, ByteArray> render(
      NeuronTree tree, long[] dims, VoxelSize voxelSize) {
    return render(tree, dims, voxelSize, DEFAULT_MIN_RADIUS_VOXELS);
  }

  /**
   * The mask of {@code tree} in an image of {@code dims = [width, height, depth]} voxels.
   *
   * @param tree nodes in physical units of {@code voxelSize}
   * @param dims three positive sizes
   * @param voxelSize physical voxel size
   * @param minRadiusVoxels minimum tube radius in voxels ({@code >= 0}; 0 disables the clamp)
   * @throws InvalidInputException on bad dimensions or a negative minimum radius
   */
  public static ArrayImg<UnsignedByteType, ByteArray> render(
      NeuronTree tree, long[] dims, VoxelSize voxelSize, double minRadiusVoxels) {
    checkDims(dims);
    if (!(minRadiusVoxels >= 0) || Double.isInfinite(minRadiusVoxels)) {
      throw new InvalidInputException(
          "minimum radius must be finite and >= 0 voxels, got " + minRadiusVoxels);
    }
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(dims);
    byte[] data = img.update(null).getCurrentStorageArray();
    TubeGeometry geometry =
        new TubeGeometry((int) dims[0], (int) dims[1], (int) dims[2], voxelSize);
    TubeGeometry.Sink mask = new TubeGeometry.Sink() {
      @Override
      public boolean open(int index) {
        return data[index] == 0; // a voxel already in the mask needs no further test
      }

      @Override
      public void cover(int index, double t) {
        data[index] = 1;
      }
    };
    for (SwcNode n : tree.nodes()) {
      SwcNode a = n.isRoot() ? n : tree.parentOf(n);
      if (a != null) {
        geometry.tube(new double[] {a.x(), a.y(), a.z()}, new double[] {n.x(), n.y(), n.z()},
            a.radius(), n.radius(), minRadiusVoxels, mask);
      }
    }
    return img;
  }

  static void checkDims(long[] dims) {
    if (dims.length != 3 || dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0) {
      throw new InvalidInputException(
          "expected three positive dimensions [width, height, depth], got "
              + Arrays.toString(dims));
    }
    if (dims[0] * dims[1] * dims[2] > Integer.MAX_VALUE) {
      throw new InvalidInputException(
          "at most " + Integer.MAX_VALUE + " voxels supported, got " + Arrays.toString(dims));
    }
  }
}
