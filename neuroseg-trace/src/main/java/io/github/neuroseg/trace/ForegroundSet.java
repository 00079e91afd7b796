package io.github.neuroseg.trace;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.VoxelRows;
import java.util.Arrays;
import java.util.stream.IntStream;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * The foreground voxels of a 3D image in a compact, row-compressed form: voxels are numbered
 * 0..size-1 in raster order (x fastest), and for every image row {@code (y, z)} the x indices of
 * its foreground voxels are stored sorted. Memory is 12 bytes per foreground voxel (16 with
 * intensities) plus 4 bytes per image row, so the tracer never allocates per-voxel arrays of the
 * whole image.
 *
 * <p>Looking up a voxel is a binary search within its row. The image is read once, row by row:
 * array- and plane-backed images straight from their arrays (zero runs of 8- and 16-bit masks a
 * word at a time) and in parallel parts of rows, any other image through a cursor.
 */
final class ForegroundSet {
  final int nx;
  final int ny;
  final int nz;
  /** {@code rowStart[y + ny * z]} is the first foreground id of that row; length rows + 1. */
  final int[] rowStart;
  /** x index of each foreground voxel. */
  final int[] xs;
  /** row index {@code y + ny * z} of each foreground voxel. */
  final int[] rows;
  /** The image value of each foreground voxel. */
  final float[] values;
  /** The intensity of each foreground voxel, or {@code null} when none were given. */
  final float @Nullable [] intensities;
  private ForegroundSet(int nx, int ny, int nz, int[] rowStart, int[] xs, int[] rows,
      float[] values, float @Nullable [] intensities) {
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.rowStart = rowStart;
    this.xs = xs;
    this.rows = rows;
    this.values = values;
    this.intensities = intensities;
  }

  /**
   * Collects the voxels with value {@code >= threshold} (NaN is background).
   *
   * @param intensities an image of the same size whose values are kept for foreground voxels, or
   *     {@code null}
   */
  static ForegroundSet of(RandomAccessibleInterval<? extends RealType<?>> image, double threshold,
      @Nullable RandomAccessibleInterval<? extends RealType<?>> intensities) {
    long[] dims = image.dimensionsAsLongArray();
    if (dims.length != 3) {
      throw new InvalidInputException("expected a 3D image, got " + dims.length + " dimensions");
    }
    for (long d : dims) {
      if (d <= 0 || d > Integer.MAX_VALUE / 4) {
        throw new InvalidInputException("image dimensions must be in 1.." + Integer.MAX_VALUE / 4
            + ", got " + Arrays.toString(dims));
      }
    }
    if (intensities != null && !Arrays.equals(dims, intensities.dimensionsAsLongArray())) {
      throw new InvalidInputException("intensities must have the foreground's dimensions "
          + Arrays.toString(dims) + ", got "
          + Arrays.toString(intensities.dimensionsAsLongArray()));
    }
    int nx = (int) dims[0];
    int ny = (int) dims[1];
    int nz = (int) dims[2];
    long nRows = (long) ny * nz;
    if (nRows + 1 > Integer.MAX_VALUE) {
      throw new InvalidInputException("too many image rows: " + nRows);
    }
    VoxelRows mask = VoxelRows.of(image);
    VoxelRows gray = intensities == null ? null : VoxelRows.of(intensities);
    // array-backed images are scanned in parallel parts of rows; a first pass counts each row's
    // voxels, so that the second writes every part's voxels straight to their place and the
    // ids are those of one raster-order pass
    int parts = mask.direct() && (gray == null || gray.direct()) && mask.count() >= PARALLEL_MIN
        ? (int) Math.min(nRows, Runtime.getRuntime().availableProcessors()) : 1;
    int[] rowStart = new int[(int) nRows + 1];
    long[] partSize = IntStream.range(0, parts).parallel()
        .mapToLong(i -> count(mask, threshold, nRows * i / parts, nRows * (i + 1) / parts,
            rowStart))
        .toArray();
    long total = 0;
    long[] partBase = new long[parts];
    for (int i = 0; i < parts; i++) {
      partBase[i] = total;
      total += partSize[i];
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("the foreground has " + total + " voxels; at most "
          + (Integer.MAX_VALUE - 8) + " can be traced");
    }
    // rowStart holds each row's count: turn it into the first id of every row
    int id = 0;
    for (int r = 0; r < nRows; r++) {
      int c = rowStart[r];
      rowStart[r] = id;
      id += c;
    }
    rowStart[(int) nRows] = id;
    int n = (int) total;
    ForegroundSet fg = new ForegroundSet(nx, ny, nz, rowStart, new int[n], new int[n],
        new float[n], intensities == null ? null : new float[n]);
    IntStream.range(0, parts).parallel().forEach(i -> fg.fill(mask, gray, threshold,
        nRows * i / parts, nRows * (i + 1) / parts));
    return fg;
  }

  /** Images with fewer voxels are scanned by one thread. */
  private static final long PARALLEL_MIN = 1 << 20;

  /** Counts the foreground voxels of rows {@code from .. to - 1} into {@code perRow[row]}. */
  private static long count(VoxelRows mask, double threshold, long fromRow, long toRow,
      int[] perRow) {
    int nx = mask.width();
    VoxelRows.Reader m = mask.reader(fromRow, toRow);
    int[] rowXs = new int[nx];
    float[] rowValues = new float[nx];
    double[] scratch = new double[nx];
    long total = 0;
    for (int r = (int) fromRow; r < toRow; r++) {
      int n = m.select(threshold, rowXs, rowValues, scratch);
      perRow[r] = n;
      total += n;
    }
    return total;
  }

  /**
   * Fills the voxels of rows {@code from .. to - 1} in, at the ids {@link #rowStart} gives;
   * rows counted empty are skipped.
   */
  private void fill(VoxelRows mask, @Nullable VoxelRows gray, double threshold, long fromRow,
      long toRow) {
    int nx = mask.width();
    VoxelRows.Reader m = mask.reader(fromRow, toRow);
    VoxelRows.Reader g = gray == null ? null : gray.reader(fromRow, toRow);
    int[] rowXs = new int[nx];
    float[] rowValues = new float[nx];
    float[] rowGray = new float[nx];
    double[] scratch = new double[nx];
    for (int r = (int) fromRow; r < toRow; r++) {
      int at = rowStart[r];
      if (rowStart[r + 1] == at) {
        // counted empty: most rows of a sparse mask are not read again
        m.skip();
        if (g != null) {
          g.skip();
        }
        continue;
      }
      int n = m.select(threshold, rowXs, rowValues, scratch);
      if (g != null) {
        if (n > 0) {
          g.gather(rowXs, n, rowGray, scratch);
          System.arraycopy(rowGray, 0, intensities, at, n);
        } else {
          g.skip();
        }
      }
      System.arraycopy(rowXs, 0, xs, at, n);
      System.arraycopy(rowValues, 0, values, at, n);
      Arrays.fill(rows, at, at + n, r);
    }
  }

  /** Number of foreground voxels. */
  int size() {
    return xs.length;
  }

  int x(int id) {
    return xs[id];
  }

  int y(int id) {
    return rows[id] % ny;
  }

  int z(int id) {
    return rows[id] / ny;
  }

  /** The id of the foreground voxel at {@code (x, y, z)}, or -1 for background or outside. */
  int find(int x, int y, int z) {
    if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz) {
      return -1;
    }
    int r = y + ny * z;
    int i = lowerBound(rowStart[r], rowStart[r + 1], x);
    return i < rowStart[r + 1] && xs[i] == x ? i : -1;
  }

  /** First index in {@code [from, to)} whose x is {@code >= x}. */
  int lowerBound(int from, int to, int x) {
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

  /**
   * Writes the ids of the foreground voxels among the 26 neighbours of {@code id} into {@code
   * out} (length >= 26) and returns their number.
   */
  int neighbours(int id, int[] out) {
    return neighbours(id, out, null);
  }

  /**
   * As {@link #neighbours(int, int[])}, also writing each neighbour's offset as {@code (dx + 1)
   * + 3 (dy + 1) + 9 (dz + 1)} into {@code offsets} when it is not {@code null}.
   */
  int neighbours(int id, int[] out, int @Nullable [] offsets) {
    int x = xs[id];
    int r0 = rows[id];
    int y = r0 % ny;
    int z = r0 / ny;
    int n = 0;
    for (int dz = -1; dz <= 1; dz++) {
      int zz = z + dz;
      if (zz < 0 || zz >= nz) {
        continue;
      }
      for (int dy = -1; dy <= 1; dy++) {
        int yy = y + dy;
        if (yy < 0 || yy >= ny) {
          continue;
        }
        int r = yy + ny * zz;
        int end = rowStart[r + 1];
        int base = 3 * (dy + 1) + 9 * (dz + 1);
        for (int i = lowerBound(rowStart[r], end, x - 1); i < end && xs[i] <= x + 1; i++) {
          if (i != id) {
            if (offsets != null) {
              offsets[n] = base + xs[i] - x + 1;
            }
            out[n++] = i;
          }
        }
      }
    }
    return n;
  }

  /** A growable int array. */
  static final class IntList {
    int[] data = new int[1024];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, 2L * data.length));
      }
      data[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  /** A growable float array. */
  static final class FloatList {
    float[] data = new float[1024];
    int size;

    void add(float v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, 2L * data.length));
      }
      data[size++] = v;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
