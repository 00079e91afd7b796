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
  /**
   * Once {@link #cacheNeighbours()} ran: the neighbours of voxel {@code id} are {@code
   * packed[start[id] .. start[id + 1])}, each {@code neighbour id * 32 + offset}.
   */
  private int @Nullable [] start;
  private int @Nullable [] packed;

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
    // array-backed images are scanned in parallel parts of rows, concatenated in row order, so
    // the ids are the same as those of one raster-order pass
    int parts = mask.direct() && (gray == null || gray.direct()) && mask.count() >= PARALLEL_MIN
        ? (int) Math.min(nRows, Runtime.getRuntime().availableProcessors()) : 1;
    Part[] done = IntStream.range(0, parts).parallel()
        .mapToObj(i -> scan(mask, gray, threshold, nRows * i / parts, nRows * (i + 1) / parts))
        .toArray(Part[]::new);
    int total = 0;
    for (Part p : done) {
      total += p.xs.size;
    }
    int[] rowStart = new int[(int) nRows + 1];
    int[] xs = new int[total];
    int[] rows = new int[total];
    float[] vals = new float[total];
    float[] ints = intensities == null ? null : new float[total];
    int base = 0;
    for (Part p : done) {
      for (int r = p.from; r < p.to; r++) {
        rowStart[r] = base + p.rowStart[r - p.from];
      }
      int n = p.xs.size;
      System.arraycopy(p.xs.data, 0, xs, base, n);
      System.arraycopy(p.rows.data, 0, rows, base, n);
      System.arraycopy(p.values.data, 0, vals, base, n);
      if (ints != null) {
        System.arraycopy(p.intensities.data, 0, ints, base, n);
      }
      base += n;
    }
    rowStart[(int) nRows] = total;
    return new ForegroundSet(nx, ny, nz, rowStart, xs, rows, vals, ints);
  }

  /** Images with fewer voxels are scanned by one thread. */
  private static final long PARALLEL_MIN = 1 << 20;

  /** The foreground of rows {@code from .. to - 1}, ids counted from the part's first. */
  private record Part(int from, int to, int[] rowStart, IntList xs, IntList rows,
      FloatList values, @Nullable FloatList intensities) {}

  private static Part scan(VoxelRows mask, @Nullable VoxelRows gray, double threshold,
      long fromRow, long toRow) {
    int from = (int) fromRow;
    int to = (int) toRow;
    int nx = mask.width();
    int[] rowStart = new int[to - from];
    IntList xs = new IntList();
    IntList rows = new IntList();
    FloatList vals = new FloatList();
    FloatList ints = gray == null ? null : new FloatList();
    VoxelRows.Reader m = mask.reader(from, to);
    VoxelRows.Reader g = gray == null ? null : gray.reader(from, to);
    int[] rowXs = new int[nx];
    float[] rowValues = new float[nx];
    float[] rowGray = new float[nx];
    double[] scratch = new double[nx];
    for (int r = from; r < to; r++) {
      rowStart[r - from] = xs.size;
      int n = m.select(threshold, rowXs, rowValues, scratch);
      if (g != null) {
        if (n > 0) {
          g.gather(rowXs, n, rowGray, scratch);
        } else {
          g.skip();
        }
      }
      for (int i = 0; i < n; i++) {
        xs.add(rowXs[i]);
        rows.add(r);
        vals.add(rowValues[i]);
        if (ints != null) {
          ints.add(rowGray[i]);
        }
      }
    }
    return new Part(from, to, rowStart, xs, rows, vals, ints);
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
    int[] p = packed;
    if (p != null) {
      int from = start[id];
      int n = start[id + 1] - from;
      for (int k = 0; k < n; k++) {
        int e = p[from + k];
        out[k] = e >>> 5;
        if (offsets != null) {
          offsets[k] = e & 31;
        }
      }
      return n;
    }
    return search(id, out, offsets);
  }

  /**
   * Computes every voxel's neighbours once and keeps them, so that the stages that visit the
   * neighbours again (components, every fast marching) read them instead of searching the rows:
   * 4 bytes per neighbour pair more memory. Foregrounds of {@code 2^26} voxels or more, or with
   * more pairs than one array holds, keep searching.
   */
  void cacheNeighbours() {
    int n = size();
    if (n >= 1 << 26 || packed != null) {
      return;
    }
    int[] st = new int[n + 1];
    IntList all = new IntList();
    int[] nb = new int[26];
    int[] off = new int[26];
    for (int i = 0; i < n; i++) {
      st[i] = all.size;
      int m = search(i, nb, off);
      if ((long) all.size + m > Integer.MAX_VALUE - 8) {
        return;
      }
      for (int k = 0; k < m; k++) {
        all.add(nb[k] << 5 | off[k]);
      }
    }
    st[n] = all.size;
    start = st;
    packed = all.toArray();
  }

  /** The neighbours of {@code id} found by searching the rows around it. */
  private int search(int id, int[] out, int @Nullable [] offsets) {
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
