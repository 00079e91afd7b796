package io.github.neuroseg.synth;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import java.util.List;
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
 * <p>Only voxels within each edge's bounding box are visited. Images are limited to {@code
 * Integer.MAX_VALUE} voxels.
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
    Raster r = new Raster(data, dims, voxelSize, minRadiusVoxels);
    List<SwcNode> nodes = tree.nodes();
    for (SwcNode n : nodes) {
      if (n.isRoot()) {
        r.edge(n, n);
      } else {
        SwcNode p = tree.parentOf(n);
        if (p != null) {
          r.edge(p, n);
        }
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

  /** Rasterises edges into a flat x-fastest byte array. */
  private static final class Raster {
    private final byte[] data;
    private final int nx;
    private final int ny;
    private final int nz;
    private final double[] v;
    private final double minR;

    Raster(byte[] data, long[] dims, VoxelSize size, double minR) {
      this.data = data;
      this.nx = (int) dims[0];
      this.ny = (int) dims[1];
      this.nz = (int) dims[2];
      this.v = new double[] {size.x(), size.y(), size.z()};
      this.minR = minR;
    }

    void edge(SwcNode a, SwcNode b) {
      double[] pa = {a.x(), a.y(), a.z()};
      double[] pb = {b.x(), b.y(), b.z()};
      double ra = a.radius();
      double rb = b.radius();
      double rmax = Math.max(ra, rb);
      int[] lo = new int[3];
      int[] hi = new int[3];
      int[] n = {nx, ny, nz};
      for (int d = 0; d < 3; d++) {
        double ext = Math.max(rmax / v[d], minR);
        double mn = Math.min(pa[d], pb[d]) / v[d] - ext;
        double mx = Math.max(pa[d], pb[d]) / v[d] + ext;
        lo[d] = (int) Math.max(0, Math.floor(mn));
        hi[d] = (int) Math.min(n[d] - 1, Math.ceil(mx));
        if (lo[d] > hi[d]) {
          return;
        }
      }
      // segment in physical and in voxel coordinates
      double ex = pb[0] - pa[0];
      double ey = pb[1] - pa[1];
      double ez = pb[2] - pa[2];
      double len2 = ex * ex + ey * ey + ez * ez;
      double ax = pa[0] / v[0];
      double ay = pa[1] / v[1];
      double az = pa[2] / v[2];
      double fx = ex / v[0];
      double fy = ey / v[1];
      double fz = ez / v[2];
      double vlen2 = fx * fx + fy * fy + fz * fz;
      double minR2 = minR * minR;
      for (int k = lo[2]; k <= hi[2]; k++) {
        for (int j = lo[1]; j <= hi[1]; j++) {
          int row = (k * ny + j) * nx;
          for (int i = lo[0]; i <= hi[0]; i++) {
            if (data[row + i] != 0) {
              continue;
            }
            if (inside(i * v[0] - pa[0], j * v[1] - pa[1], k * v[2] - pa[2], ex, ey, ez, len2,
                ra, rb)
                || insideClamp(i - ax, j - ay, k - az, fx, fy, fz, vlen2, minR2)) {
              data[row + i] = 1;
            }
          }
        }
      }
    }

    private static boolean inside(double px, double py, double pz, double ex, double ey,
        double ez, double len2, double ra, double rb) {
      double t = len2 > 0 ? (px * ex + py * ey + pz * ez) / len2 : 0;
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
      double dx = px - t * ex;
      double dy = py - t * ey;
      double dz = pz - t * ez;
      double r = ra + t * (rb - ra);
      return dx * dx + dy * dy + dz * dz <= r * r;
    }

    private static boolean insideClamp(double px, double py, double pz, double ex, double ey,
        double ez, double len2, double r2) {
      if (r2 <= 0) {
        return false;
      }
      double t = len2 > 0 ? (px * ex + py * ey + pz * ez) / len2 : 0;
      t = t < 0 ? 0 : (t > 1 ? 1 : t);
      double dx = px - t * ex;
      double dy = py - t * ey;
      double dz = pz - t * ez;
      return dx * dx + dy * dy + dz * dz <= r2;
    }
  }
}
