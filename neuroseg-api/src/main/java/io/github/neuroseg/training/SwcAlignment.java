package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.Volume;
import java.util.HashMap;
import java.util.Map;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;

/**
 * Registers a reconstruction to its image in x and y: manual tracings are often a pixel or two
 * off the fibre they trace, which matters when a mask one to three voxels wide is rendered from
 * them for training. The best shift is the one that maximises the mean image intensity along the
 * tree's centre lines (bilinear in x and y, nearest slice in z, sampled every half voxel), searched
 * on a grid of {@code step} voxels within {@code radius} voxels.
 */
public final class SwcAlignment {
  private SwcAlignment() {}

  /**
   * The outcome of a search.
   *
   * @param dx the shift in x, voxels
   * @param dy the shift in y, voxels
   * @param meanIntensity mean intensity along the shifted tree
   * @param unshiftedIntensity mean intensity along the tree as given
   */
  public record Shift(double dx, double dy, double meanIntensity, double unshiftedIntensity) {}

  /**
   * The xy shift that lays a tree best onto the bright structure of an image.
   *
   * @param image the volume
   * @param voxelTree the reconstruction in voxel coordinates of {@code image}
   * @param radius largest shift tried along x and y, voxels, {@code >= 0}
   * @param step grid spacing of the shifts tried, voxels, {@code > 0}
   * @throws InvalidInputException for a bad radius or step, or a tree with no edge inside the
   *     image
   */
  public static Shift bestShift(Volume image, NeuronTree voxelTree, double radius, double step) {
    Checks.nonNegativeFinite("alignment radius", radius);
    Checks.positiveFinite("alignment step", step);
    int n = (int) Math.floor(radius / step + 1e-9);
    double at0 = meanIntensity(image, voxelTree, 0, 0);
    if (Double.isNaN(at0)) {
      throw new InvalidInputException("the reconstruction has no edge inside the image "
          + java.util.Arrays.toString(image.dimensions()) + "; are its coordinates voxels?");
    }
    double best = at0;
    double bx = 0;
    double by = 0;
    for (int i = -n; i <= n; i++) {
      for (int j = -n; j <= n; j++) {
        double s = meanIntensity(image, voxelTree, i * step, j * step);
        // prefer the smaller shift on ties, so that an aligned tree stays where it is
        if (s > best + 1e-9 || s >= best - 1e-9 && Math.hypot(i, j) * step < Math.hypot(bx, by)) {
          best = s;
          bx = i * step;
          by = j * step;
        }
      }
    }
    return new Shift(bx, by, best, at0);
  }

  /** Mean intensity along the tree's edges shifted by {@code (dx, dy)}; NaN when none lies inside. */
  static double meanIntensity(Volume image, NeuronTree tree, double dx, double dy) {
    long[] d = image.dimensions();
    RandomAccess<? extends RealType<?>> ra = image.image().randomAccess();
    Map<Long, SwcNode> byId = new HashMap<>();
    for (SwcNode a : tree.nodes()) {
      byId.put(a.id(), a);
    }
    double sum = 0;
    long count = 0;
    long[] pos = new long[3];
    for (SwcNode a : tree.nodes()) {
      SwcNode p = byId.get(a.parent());
      if (p == null) {
        continue;
      }
      double len = Math.sqrt((a.x() - p.x()) * (a.x() - p.x()) + (a.y() - p.y()) * (a.y() - p.y())
          + (a.z() - p.z()) * (a.z() - p.z()));
      int steps = Math.max(1, (int) Math.ceil(len / 0.5));
      for (int k = 0; k <= steps; k++) {
        double f = (double) k / steps;
        double x = p.x() + f * (a.x() - p.x()) + dx;
        double y = p.y() + f * (a.y() - p.y()) + dy;
        long z = Math.round(p.z() + f * (a.z() - p.z()));
        long x0 = (long) Math.floor(x);
        long y0 = (long) Math.floor(y);
        if (z < 0 || z >= d[2] || x0 < 0 || y0 < 0 || x0 + 1 >= d[0] || y0 + 1 >= d[1]) {
          continue;
        }
        double fx = x - x0;
        double fy = y - y0;
        double v = 0;
        pos[2] = z;
        for (int j = 0; j < 2; j++) {
          for (int i = 0; i < 2; i++) {
            pos[0] = x0 + i;
            pos[1] = y0 + j;
            ra.setPosition(pos);
            v += (i == 0 ? 1 - fx : fx) * (j == 0 ? 1 - fy : fy) * ra.get().getRealDouble();
          }
        }
        sum += v;
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
