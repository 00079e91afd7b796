package io.github.neuroseg.metrics;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.Segmentation;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import java.util.List;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * Segmentation metrics on binary 3D masks: Dice overlap and the 95th-percentile Hausdorff
 * distance (HD95), per volume and averaged over volumes.
 *
 * <p>Masks are any 3D {@link RandomAccessibleInterval} of a real type; a voxel is foreground when
 * its value is non-zero (NaN counts as foreground). The two masks must have the same size (their
 * minimum coordinates are ignored). Masks are limited to {@code Integer.MAX_VALUE} voxels.
 *
 * <p>HD95 follows medpy's {@code hd95}: the surface of a mask is its foreground voxels with at
 * least one background 6-neighbour, where voxels outside the image count as background (so a
 * mask touching the border has a surface there). For every surface voxel of one mask the
 * Euclidean distance to the nearest surface voxel of the other is taken (an exact distance
 * transform, separable, with the voxel spacing), in both directions; the two lists are pooled
 * and HD95 is their 95th percentile with linear interpolation between order statistics (numpy's
 * default: sorted {@code d}, position {@code h = 0.95 (n - 1)}, value {@code d[floor h] + (h -
 * floor h)(d[floor h + 1] - d[floor h])}). It is computed twice: with unit spacing (in voxels)
 * and with the voxel size (in physical units).
 *
 * <p>Empty masks: Dice of two empty masks is 1 (they agree), of one empty and one non-empty mask
 * 0. HD95 of two empty masks is 0; when exactly one mask is empty it is {@code +infinity}.
 */
public final class SegmentationMetrics {

  private SegmentationMetrics() {}

  /**
   * HD95 of one pair of masks.
   *
   * @param voxels HD95 measured in voxel steps (unit spacing on every axis)
   * @param physical HD95 measured with the voxel size
   * @param unit the unit of {@code physical}
   */
  public record Hd95(double voxels, double physical, String unit) {}

  /**
   * Scores of one volume.
   *
   * @param dice Dice coefficient in {@code [0, 1]}
   * @param hd95 95th-percentile Hausdorff distance
   */
  public record VolumeScores(double dice, Hd95 hd95) {}

  /**
   * Means over several volumes (as a results table reports them).
   *
   * @param volumes number of volumes
   * @param meanDice mean Dice
   * @param meanHd95Voxels mean HD95 in voxels ({@code +infinity} if any volume's is)
   * @param meanHd95Physical mean HD95 in physical units
   * @param perVolume the scores averaged, in order
   */
  public record Summary(
      int volumes, double meanDice, double meanHd95Voxels, double meanHd95Physical,
      List<VolumeScores> perVolume) {

    public Summary {
      perVolume = List.copyOf(perVolume);
    }
  }

  /**
   * Dice coefficient {@code 2 |A and B| / (|A| + |B|)}; 1 when both masks are empty.
   *
   * @throws InvalidInputException when the masks are not 3D or differ in size
   */
  public static double dice(
      RandomAccessibleInterval<? extends RealType<?>> a,
      RandomAccessibleInterval<? extends RealType<?>> b) {
    checkPair(a, b);
    Cursor<? extends RealType<?>> ca = Views.flatIterable(a).cursor();
    Cursor<? extends RealType<?>> cb = Views.flatIterable(b).cursor();
    long na = 0;
    long nb = 0;
    long both = 0;
    while (ca.hasNext()) {
      boolean fa = ca.next().getRealDouble() != 0;
      boolean fb = cb.next().getRealDouble() != 0;
      if (fa) {
        na++;
      }
      if (fb) {
        nb++;
      }
      if (fa && fb) {
        both++;
      }
    }
    return na + nb == 0 ? 1.0 : 2.0 * both / (na + nb);
  }

  /**
   * HD95 between two masks, in voxels and in units of {@code voxelSize}.
   *
   * @throws InvalidInputException when the masks are not 3D or differ in size
   */
  public static Hd95 hd95(
      RandomAccessibleInterval<? extends RealType<?>> a,
      RandomAccessibleInterval<? extends RealType<?>> b,
      VoxelSize voxelSize) {
    checkPair(a, b);
    int nx = (int) a.dimension(0);
    int ny = (int) a.dimension(1);
    int nz = (int) a.dimension(2);
    boolean[] ma = toArray(a);
    boolean[] mb = toArray(b);
    return hd95(ma, mb, nx, ny, nz, voxelSize);
  }

  /** Dice and HD95 of one volume. */
  public static VolumeScores score(
      RandomAccessibleInterval<? extends RealType<?>> predicted,
      RandomAccessibleInterval<? extends RealType<?>> reference,
      VoxelSize voxelSize) {
    return new VolumeScores(dice(predicted, reference), hd95(predicted, reference, voxelSize));
  }

  /**
   * Segments each labelled volume and scores the segmentation's mask against the volume's
   * ground truth: the held-out test of a trained model, as users get it from {@code segment()}.
   *
   * @throws InvalidInputException when {@code volumes} is empty
   */
  public static Summary evaluate(Segmenter segmenter, List<LabeledVolume> volumes) {
    if (volumes.isEmpty()) {
      throw new InvalidInputException("need at least one volume to evaluate, got none");
    }
    List<VolumeScores> scores = new java.util.ArrayList<>();
    for (LabeledVolume v : volumes) {
      Segmentation s = segmenter.segment(v.image());
      scores.add(score(s.mask(), v.mask(), v.image().voxelSize()));
    }
    return mean(scores);
  }

  /**
   * Means of per-volume scores.
   *
   * @throws InvalidInputException when {@code scores} is empty
   */
  public static Summary mean(List<VolumeScores> scores) {
    if (scores.isEmpty()) {
      throw new InvalidInputException("need at least one volume's scores to average, got none");
    }
    double d = 0;
    double hv = 0;
    double hp = 0;
    for (VolumeScores s : scores) {
      d += s.dice();
      hv += s.hd95().voxels();
      hp += s.hd95().physical();
    }
    int n = scores.size();
    return new Summary(n, d / n, hv / n, hp / n, scores);
  }

  static Hd95 hd95(boolean[] ma, boolean[] mb, int nx, int ny, int nz, VoxelSize size) {
    boolean emptyA = isEmpty(ma);
    boolean emptyB = isEmpty(mb);
    if (emptyA && emptyB) {
      return new Hd95(0, 0, size.unit());
    }
    if (emptyA || emptyB) {
      return new Hd95(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, size.unit());
    }
    // a box holding both masks: the transform is exact inside any box containing all features
    int[] lo = {nx, ny, nz};
    int[] hi = {-1, -1, -1};
    for (int k = 0, idx = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++, idx++) {
          if (ma[idx] || mb[idx]) {
            lo[0] = Math.min(lo[0], i);
            lo[1] = Math.min(lo[1], j);
            lo[2] = Math.min(lo[2], k);
            hi[0] = Math.max(hi[0], i);
            hi[1] = Math.max(hi[1], j);
            hi[2] = Math.max(hi[2], k);
          }
        }
      }
    }
    int bx = hi[0] - lo[0] + 1;
    int by = hi[1] - lo[1] + 1;
    int bz = hi[2] - lo[2] + 1;
    boolean[] sa = new boolean[bx * by * bz];
    boolean[] sb = new boolean[sa.length];
    for (int k = 0; k < bz; k++) {
      for (int j = 0; j < by; j++) {
        for (int i = 0; i < bx; i++) {
          int bi = (k * by + j) * bx + i;
          sa[bi] = isSurface(ma, nx, ny, nz, i + lo[0], j + lo[1], k + lo[2]);
          sb[bi] = isSurface(mb, nx, ny, nz, i + lo[0], j + lo[1], k + lo[2]);
        }
      }
    }
    double vox = percentile95(pooled(sa, sb, bx, by, bz, new double[] {1, 1, 1}));
    double phys = percentile95(
        pooled(sa, sb, bx, by, bz, new double[] {size.x(), size.y(), size.z()}));
    return new Hd95(vox, phys, size.unit());
  }

  private static double[] pooled(
      boolean[] sa, boolean[] sb, int bx, int by, int bz, double[] spacing) {
    double[] toB = EuclideanDistance.squared(sb, bx, by, bz, spacing);
    double[] toA = EuclideanDistance.squared(sa, bx, by, bz, spacing);
    int count = 0;
    for (int i = 0; i < sa.length; i++) {
      count += (sa[i] ? 1 : 0) + (sb[i] ? 1 : 0);
    }
    double[] d = new double[count];
    int c = 0;
    for (int i = 0; i < sa.length; i++) {
      if (sa[i]) {
        d[c++] = Math.sqrt(toB[i]);
      }
      if (sb[i]) {
        d[c++] = Math.sqrt(toA[i]);
      }
    }
    return d;
  }

  /** The 95th percentile with linear interpolation (numpy's default); sorts {@code d}. */
  static double percentile95(double[] d) {
    Arrays.sort(d);
    double h = 0.95 * (d.length - 1);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, d.length - 1);
    return d[lo] + (h - lo) * (d[hi] - d[lo]);
  }

  private static boolean isSurface(boolean[] m, int nx, int ny, int nz, int i, int j, int k) {
    int idx = (k * ny + j) * nx + i;
    if (!m[idx]) {
      return false;
    }
    return i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1
        || !m[idx - 1] || !m[idx + 1] || !m[idx - nx] || !m[idx + nx]
        || !m[idx - nx * ny] || !m[idx + nx * ny];
  }

  private static boolean isEmpty(boolean[] m) {
    for (boolean b : m) {
      if (b) {
        return false;
      }
    }
    return true;
  }

  static boolean[] toArray(RandomAccessibleInterval<? extends RealType<?>> img) {
    boolean[] out = new boolean[(int) Intervals.numElements(img)];
    Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
    int i = 0;
    while (c.hasNext()) {
      out[i++] = c.next().getRealDouble() != 0;
    }
    return out;
  }

  private static void checkPair(
      RandomAccessibleInterval<?> a, RandomAccessibleInterval<?> b) {
    if (a.numDimensions() != 3 || b.numDimensions() != 3) {
      throw new InvalidInputException(
          "masks must be 3D, got " + a.numDimensions() + "D and " + b.numDimensions() + "D");
    }
    long[] da = a.dimensionsAsLongArray();
    long[] db = b.dimensionsAsLongArray();
    if (!Arrays.equals(da, db)) {
      throw new InvalidInputException(
          "masks must have the same size, got " + Arrays.toString(da) + " and "
              + Arrays.toString(db));
    }
    if (Intervals.numElements(a) > Integer.MAX_VALUE) {
      throw new InvalidInputException(
          "at most " + Integer.MAX_VALUE + " voxels supported, got " + Arrays.toString(da));
    }
  }
}
