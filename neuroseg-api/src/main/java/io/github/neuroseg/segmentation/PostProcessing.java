package io.github.neuroseg.segmentation;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import java.util.Arrays;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * Turns a segmentation's probabilities into a cleaner mask than a single threshold: hysteresis
 * (voxels of probability at least {@code lowThreshold} are kept when they are 26-connected to a
 * voxel at or above the segmentation's own threshold, so a neurite stays whole where its
 * probability dips) and removal of 26-connected components of fewer than {@code
 * minComponentVoxels} voxels (isolated speckle). Both steps are off at their neutral values:
 * {@link #NONE} gives exactly {@link Segmentation#mask()}.
 *
 * <p>Memory is proportional to the voxels at or above {@code lowThreshold} (about 16 bytes each)
 * plus one byte per voxel for the mask. Immutable and thread-safe.
 *
 * @param lowThreshold the hysteresis threshold in [0, 1]; hysteresis is off when it is at or
 *     above the segmentation's threshold
 * @param minComponentVoxels components of the final mask with fewer voxels are removed; 0 or 1
 *     keeps all
 */
public record PostProcessing(double lowThreshold, int minComponentVoxels) {

  /** No post-processing: the mask is {@code probability >= threshold}. */
  public static final PostProcessing NONE = new PostProcessing(1, 0);

  /**
   * What {@code neuroseg run} and {@code segment}, {@code Pipeline.of}, the ImageJ command and
   * {@code scripts/eval-real} use unless told otherwise: hysteresis down to probability 0.1, no
   * component removal (the tracer already drops components under 30 voxels). Chosen on the
   * real-data benchmark with the bundled model (README, "The bundled model"): against no
   * post-processing it keeps thin, dim neurites whose probability dips under the calibrated
   * threshold (0.95) and joins the pieces, so traces have fewer trees.
   */
  public static final PostProcessing DEFAULT = new PostProcessing(0.1, 0);

  /**
   * Checks the values.
   *
   * @throws InvalidInputException for a threshold outside [0, 1] or a negative size
   */
  public PostProcessing {
    Checks.inRange("low threshold", lowThreshold, 0, 1);
    if (minComponentVoxels < 0) {
      throw new InvalidInputException("minimum component size must be >= 0 voxels, got "
          + minComponentVoxels);
    }
  }

  /**
   * The post-processed mask of a segmentation, 1 for foreground and 0 elsewhere.
   *
   * @throws InvalidInputException for a volume of more than 2^31 - 9 voxels
   */
  public ArrayImg<UnsignedByteType, ByteArray> apply(Segmentation segmentation) {
    double high = segmentation.threshold();
    double low = low(high);
    return applyToLevels(Converters.convert(segmentation.probabilities(),
        (in, out) -> out.set(level(in.get(), low, high)), new UnsignedByteType()));
  }

  /**
   * The lowest probability that can belong to the mask of a segmentation with this threshold:
   * {@code min(lowThreshold, threshold)}.
   */
  public double low(double threshold) {
    return Math.min(lowThreshold, threshold);
  }

  /**
   * The level of a probability as post-processing sees it: 2 at or above {@code high} (a seed of
   * the hysteresis), 1 at or above {@code low} only (kept when connected to a seed), else 0.
   */
  public static int level(float probability, double low, double high) {
    return probability >= high ? 2 : probability >= low ? 1 : 0;
  }

  /**
   * The post-processed mask from the voxels' {@linkplain #level levels} alone (0, 1 or 2, e.g.
   * from {@link Segmenter#segmentLevels}, a byte per voxel instead of a float map): exactly
   * {@link #apply} of the probabilities they were taken from, with {@link #low} of the
   * segmentation's threshold and that threshold.
   *
   * @throws InvalidInputException for a volume of more than 2^31 - 9 voxels
   */
  public ArrayImg<UnsignedByteType, ByteArray> applyToLevels(
      RandomAccessibleInterval<UnsignedByteType> levels) {
    RandomAccessibleInterval<UnsignedByteType> p = levels;
    long n = Intervals.numElements(p);
    if (n > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("post-processing holds one byte per voxel; a volume of "
          + n + " voxels is too large");
    }
    int nx = (int) p.dimension(0);
    int ny = (int) p.dimension(1);
    int nz = (int) p.dimension(2);
    // the candidate voxels, row by row, with whether each is at or above the high threshold
    int rows = ny * nz;
    int[] rowStart = new int[rows + 1];
    IntList xs = new IntList();
    IntList strong = new IntList();
    Cursor<UnsignedByteType> c = Views.flatIterable(p).cursor();
    for (int r = 0; r < rows; r++) {
      rowStart[r] = xs.size;
      for (int x = 0; x < nx; x++) {
        int v = c.next().get();
        if (v >= 1) {
          xs.add(x);
          strong.add(v >= 2 ? 1 : 0);
        }
      }
    }
    rowStart[rows] = xs.size;
    int m = xs.size;
    int[] parent = new int[m];
    for (int i = 0; i < m; i++) {
      parent[i] = i;
    }
    // union with the neighbours already visited: the row above and the slice before
    for (int r = 0; r < rows; r++) {
      int y = r % ny;
      int z = r / ny;
      for (int i = rowStart[r]; i < rowStart[r + 1]; i++) {
        int x = xs.data[i];
        if (i > rowStart[r] && xs.data[i - 1] == x - 1) {
          union(parent, i, i - 1);
        }
        for (int dz = -1; dz <= 0; dz++) {
          for (int dy = -1; dy <= 1; dy++) {
            if (dz == 0 && dy >= 0) {
              continue;
            }
            int yy = y + dy;
            int zz = z + dz;
            if (yy < 0 || yy >= ny || zz < 0) {
              continue;
            }
            int q = yy + ny * zz;
            for (int j = lowerBound(xs.data, rowStart[q], rowStart[q + 1], x - 1);
                j < rowStart[q + 1] && xs.data[j] <= x + 1; j++) {
              union(parent, i, j);
            }
          }
        }
      }
    }
    int[] size = new int[m];
    boolean[] seeded = new boolean[m];
    for (int i = 0; i < m; i++) {
      int root = find(parent, i);
      size[root]++;
      seeded[root] |= strong.data[i] != 0;
    }
    byte[] out = new byte[(int) n];
    for (int r = 0; r < rows; r++) {
      for (int i = rowStart[r]; i < rowStart[r + 1]; i++) {
        // a component is kept whole, weak voxels included, when it holds a strong one and is
        // large enough (without hysteresis every voxel is strong)
        int root = find(parent, i);
        if (seeded[root] && size[root] >= minComponentVoxels) {
          out[r * nx + xs.data[i]] = 1;
        }
      }
    }
    return ArrayImgs.unsignedBytes(out, nx, ny, nz);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  private static int lowerBound(int[] xs, int from, int to, int x) {
    int lo = from;
    int hi = to;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (xs[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A growable int array. */
  private static final class IntList {
    int[] data = new int[1024];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }
  }
}
