package io.github.neuroseg.internal;

import java.util.Arrays;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * An image's voxel values row by row: rows of dimension 0, in flat order (x fastest, then y, then
 * z and any further dimension). Array- and plane-backed images ({@link ArrayImg}, {@link
 * PlanarImg}) of the primitive types are read straight from their Java arrays; any other image
 * (views, cell images, lazy images) goes through a cursor, value by value, with the same values.
 *
 * <p>A {@link Reader} is for one thread; several readers of one {@code VoxelRows} may run at
 * once. Reading from arrays is what makes whole-volume passes (normalisation statistics, the
 * slices a segmenter feeds its model, a tracer's foreground scan) cost memory bandwidth rather
 * than a virtual call per voxel. Not API: it may change in any release.
 */
public final class VoxelRows {
  /** The storage the rows are read from. */
  private enum Kind { U8, S8, U16, S16, U32, S32, F32, F64, GENERIC }

  private final RandomAccessibleInterval<? extends RealType<?>> image;
  private final Kind kind;
  private final int width;
  private final long rows;
  private final long[] min;
  private final long[] dims;
  private final @Nullable Object whole;
  private final @Nullable PlanarImg<?, ?> planar;
  private final long rowsPerPlane;

  private VoxelRows(RandomAccessibleInterval<? extends RealType<?>> image) {
    this.image = image;
    int n = image.numDimensions();
    this.dims = n == 0 ? new long[] {1} : image.dimensionsAsLongArray();
    this.min = n == 0 ? new long[] {0} : image.minAsLongArray();
    long w = dims[0];
    this.width = (int) Math.min(w, Checks.MAX_ARRAY_LENGTH);
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    this.rows = w == 0 ? 0 : count / w;
    Kind k = kindOf(image.getType());
    Object array = null;
    PlanarImg<?, ?> planes = null;
    if (k != Kind.GENERIC && image instanceof ArrayImg<?, ?> a
        && a.update(null) instanceof ArrayDataAccess<?> d && count <= Checks.MAX_ARRAY_LENGTH) {
      array = d.getCurrentStorageArray();
    } else if (k != Kind.GENERIC && image instanceof PlanarImg<?, ?> p && n >= 2
        && dims[0] * dims[1] <= Checks.MAX_ARRAY_LENGTH) {
      planes = p;
    }
    this.whole = array;
    this.planar = planes;
    this.kind = array == null && planes == null ? Kind.GENERIC : k;
    this.rowsPerPlane = n >= 2 ? dims[1] : 1;
  }

  /** The rows of {@code image} (any number of dimensions; a row is one line along x). */
  public static VoxelRows of(RandomAccessibleInterval<? extends RealType<?>> image) {
    return new VoxelRows(image);
  }

  private static Kind kindOf(Object t) {
    // exact classes: a subclass may store its values differently
    Class<?> c = t.getClass();
    if (c == UnsignedByteType.class) {
      return Kind.U8;
    } else if (c == ByteType.class) {
      return Kind.S8;
    } else if (c == UnsignedShortType.class) {
      return Kind.U16;
    } else if (c == ShortType.class) {
      return Kind.S16;
    } else if (c == UnsignedIntType.class) {
      return Kind.U32;
    } else if (c == IntType.class) {
      return Kind.S32;
    } else if (c == FloatType.class) {
      return Kind.F32;
    } else if (c == DoubleType.class) {
      return Kind.F64;
    }
    return Kind.GENERIC;
  }

  /** Voxels per row (the image's size along dimension 0). */
  public int width() {
    return width;
  }

  /** Rows in the image: its voxel count divided by {@link #width()}. */
  public long rows() {
    return rows;
  }

  /** The image's voxel count. */
  public long count() {
    return rows * width;
  }

  /**
   * Whether the rows are read straight from Java arrays. Such images are also safe to read from
   * several threads at once, so whole-volume passes over them run in parallel.
   */
  public boolean direct() {
    return kind != Kind.GENERIC;
  }

  /**
   * Whether every value is an integer in [0, 65535] stored as 8 or 16 bits, so that a histogram
   * of 65536 bins ({@link Reader#count(long[])}) holds the values exactly.
   */
  public boolean unsigned16() {
    return kind == Kind.U8 || kind == Kind.U16
        || kind == Kind.GENERIC && (image.getType() instanceof UnsignedByteType
            || image.getType() instanceof UnsignedShortType);
  }

  /**
   * The position of the voxel with flat index {@code index} (x fastest), with the image's offset:
   * what messages name.
   */
  public long[] position(long index) {
    long[] p = new long[dims.length];
    long rest = index;
    for (int d = 0; d < dims.length; d++) {
      p[d] = rest % dims[d] + min[d];
      rest /= dims[d];
    }
    return image.numDimensions() == 0 ? new long[0] : p;
  }

  /** The position of {@code index} as {@code [x, y, z]} text. */
  public String positionText(long index) {
    return Arrays.toString(position(index));
  }

  /** A reader of rows {@code from} (inclusive) to {@code to} (exclusive), for one thread. */
  public Reader reader(long from, long to) {
    if (from < 0 || to < from || to > rows) {
      throw new IndexOutOfBoundsException("rows " + from + " to " + to + " of " + rows);
    }
    return new Reader(from, to);
  }

  /**
   * Reads consecutive rows. Each call of {@link #read}, {@link #normalize} or {@link #count}
   * consumes the next row.
   */
  public final class Reader {
    private long row;
    private final long end;
    private final @Nullable Cursor<? extends RealType<?>> cursor;
    private byte @Nullable [] zeroBytes;
    private short @Nullable [] zeroShorts;

    private Reader(long from, long to) {
      this.row = from;
      this.end = to;
      if (kind == Kind.GENERIC && to > from) {
        Cursor<? extends RealType<?>> c;
        int n = image.numDimensions();
        if (n == 3 && from % rowsPerPlane == 0 && to % rowsPerPlane == 0) {
          // whole slices: an interval view keeps the source's own fast cursor
          long[] lo = min.clone();
          long[] hi = new long[3];
          lo[2] += from / rowsPerPlane;
          hi[0] = min[0] + dims[0] - 1;
          hi[1] = min[1] + dims[1] - 1;
          hi[2] = min[2] + to / rowsPerPlane - 1;
          c = Views.flatIterable(Views.interval(image, lo, hi)).cursor();
        } else {
          c = Views.flatIterable(image).cursor();
          if (from > 0) {
            c.jumpFwd(from * width);
          }
        }
        this.cursor = c;
      } else {
        this.cursor = null;
      }
    }

    /** The index of the row the next call reads. */
    public long row() {
      return row;
    }

    private Object array() {
      if (whole != null) {
        return whole;
      }
      return ((ArrayDataAccess<?>) planar.getPlane((int) (row / rowsPerPlane)))
          .getCurrentStorageArray();
    }

    private int offset() {
      return whole != null ? (int) (row * width) : (int) (row % rowsPerPlane) * width;
    }

    private void advance() {
      if (row >= end) {
        throw new IndexOutOfBoundsException("row " + row + " is past the reader's end " + end);
      }
    }

    /** The next row's values into {@code out[0 .. width)}. */
    public void read(double[] out) {
      advance();
      int w = width;
      if (kind == Kind.GENERIC) {
        Cursor<? extends RealType<?>> c = cursor;
        for (int x = 0; x < w; x++) {
          out[x] = c.next().getRealDouble();
        }
        row++;
        return;
      }
      Object a = array();
      int o = offset();
      switch (kind) {
        case U8 -> {
          byte[] v = (byte[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x] & 0xff;
          }
        }
        case S8 -> {
          byte[] v = (byte[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x];
          }
        }
        case U16 -> {
          short[] v = (short[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x] & 0xffff;
          }
        }
        case S16 -> {
          short[] v = (short[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x];
          }
        }
        case U32 -> {
          int[] v = (int[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x] & 0xffffffffL;
          }
        }
        case S32 -> {
          int[] v = (int[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x];
          }
        }
        case F32 -> {
          float[] v = (float[]) a;
          for (int x = 0; x < w; x++) {
            out[x] = v[o + x];
          }
        }
        default -> System.arraycopy((double[]) a, o, out, 0, w);
      }
      row++;
    }

    /**
     * The next row normalised, {@code (float) ((v - lo) * scale)}, into {@code out[at .. at +
     * width)}.
     *
     * @param scratch at least {@link #width()} values of working space; when a value is not
     *     finite, {@code scratch[x]} holds it
     * @return -1, or the x of the first value that is not a finite number (the values before it
     *     are written)
     */
    public int normalize(float[] out, int at, double lo, double scale, double[] scratch) {
      if (kind == Kind.U8 || kind == Kind.U16) {
        // finite by construction: no check per value
        advance();
        Object a = array();
        int o = offset();
        int w = width;
        if (kind == Kind.U8) {
          byte[] v = (byte[]) a;
          for (int x = 0; x < w; x++) {
            out[at + x] = (float) (((v[o + x] & 0xff) - lo) * scale);
          }
        } else {
          short[] v = (short[]) a;
          for (int x = 0; x < w; x++) {
            out[at + x] = (float) (((v[o + x] & 0xffff) - lo) * scale);
          }
        }
        row++;
        return -1;
      }
      if (kind == Kind.F32) {
        advance();
        float[] v = (float[]) array();
        int o = offset();
        int w = width;
        for (int x = 0; x < w; x++) {
          float f = v[o + x];
          if (!Float.isFinite(f)) {
            scratch[x] = f;
            row++;
            return x;
          }
          out[at + x] = (float) ((f - lo) * scale);
        }
        row++;
        return -1;
      }
      read(scratch);
      int w = width;
      int bad = -1;
      for (int x = 0; x < w; x++) {
        double v = scratch[x];
        if (!Double.isFinite(v)) {
          bad = x;
          break;
        }
        out[at + x] = (float) ((v - lo) * scale);
      }
      return bad;
    }

    /** Skips the next row. */
    public void skip() {
      advance();
      if (cursor != null) {
        cursor.jumpFwd(width);
      }
      row++;
    }

    /**
     * The voxels of the next row with a value {@code >= threshold} (NaN never is): their x, in
     * increasing order, into {@code xs}, and their values as floats into {@code values}. Zero
     * runs of 8- and 16-bit images are skipped by a vectorised comparison.
     *
     * @param xs at least {@link #width()} values
     * @param values at least {@link #width()} values
     * @param scratch at least {@link #width()} values of working space
     * @return how many voxels were selected
     */
    public int select(double threshold, int[] xs, float[] values, double[] scratch) {
      int w = width;
      int n = 0;
      if (kind == Kind.U8 || kind == Kind.U16) {
        advance();
        Object a = array();
        int o = offset();
        // integer values: v >= threshold exactly when v >= ceil(threshold)
        double c = Math.ceil(threshold);
        if (!(c <= 65535)) {
          row++;
          return 0; // NaN or above every value
        }
        int cut = (int) Math.max(c, 0);
        if (kind == Kind.U8) {
          byte[] v = (byte[]) a;
          if (cut >= 1) {
            // most of a sparse mask is zero: find the next non-zero voxel with the JDK's
            // vectorised comparison against zeros
            if (zeroBytes == null) {
              zeroBytes = new byte[w];
            }
            int x = 0;
            while (x < w) {
              int m = Arrays.mismatch(v, o + x, o + w, zeroBytes, 0, w - x);
              if (m < 0) {
                break;
              }
              x += m;
              int b = v[o + x] & 0xff;
              if (b >= cut) {
                xs[n] = x;
                values[n++] = b;
              }
              x++;
            }
          } else {
            for (int x = 0; x < w; x++) {
              xs[n] = x;
              values[n++] = v[o + x] & 0xff;
            }
          }
        } else {
          short[] v = (short[]) a;
          if (cut >= 1) {
            if (zeroShorts == null) {
              zeroShorts = new short[w];
            }
            int x = 0;
            while (x < w) {
              int m = Arrays.mismatch(v, o + x, o + w, zeroShorts, 0, w - x);
              if (m < 0) {
                break;
              }
              x += m;
              int b = v[o + x] & 0xffff;
              if (b >= cut) {
                xs[n] = x;
                values[n++] = b;
              }
              x++;
            }
          } else {
            for (int x = 0; x < w; x++) {
              xs[n] = x;
              values[n++] = v[o + x] & 0xffff;
            }
          }
        }
        row++;
        return n;
      }
      if (kind == Kind.F32) {
        advance();
        float[] v = (float[]) array();
        int o = offset();
        for (int x = 0; x < w; x++) {
          float f = v[o + x];
          if (f >= threshold) {
            xs[n] = x;
            values[n++] = f;
          }
        }
        row++;
        return n;
      }
      read(scratch);
      for (int x = 0; x < w; x++) {
        double d = scratch[x];
        if (d >= threshold) {
          xs[n] = x;
          values[n++] = (float) d;
        }
      }
      return n;
    }

    /**
     * The values at {@code xs[0 .. n)} of the next row, as floats, into {@code out}.
     *
     * @param scratch at least {@link #width()} values of working space
     */
    public void gather(int[] xs, int n, float[] out, double[] scratch) {
      if (kind == Kind.U8 || kind == Kind.U16 || kind == Kind.F32) {
        advance();
        Object a = array();
        int o = offset();
        switch (kind) {
          case U8 -> {
            byte[] v = (byte[]) a;
            for (int i = 0; i < n; i++) {
              out[i] = v[o + xs[i]] & 0xff;
            }
          }
          case U16 -> {
            short[] v = (short[]) a;
            for (int i = 0; i < n; i++) {
              out[i] = v[o + xs[i]] & 0xffff;
            }
          }
          default -> {
            float[] v = (float[]) a;
            for (int i = 0; i < n; i++) {
              out[i] = v[o + xs[i]];
            }
          }
        }
        row++;
        return;
      }
      read(scratch);
      for (int i = 0; i < n; i++) {
        out[i] = (float) scratch[xs[i]];
      }
    }

    /**
     * Adds the next row's values to a histogram of exact values: {@code histogram[v]++}. Only
     * for {@link #unsigned16()} images.
     *
     * @param histogram at least 256 bins for 8-bit images, 65536 for 16-bit ones
     */
    public void count(long[] histogram) {
      advance();
      int w = width;
      if (kind == Kind.U8) {
        byte[] v = (byte[]) array();
        int o = offset();
        for (int x = 0; x < w; x++) {
          histogram[v[o + x] & 0xff]++;
        }
      } else if (kind == Kind.U16) {
        short[] v = (short[]) array();
        int o = offset();
        for (int x = 0; x < w; x++) {
          histogram[v[o + x] & 0xffff]++;
        }
      } else if (kind == Kind.GENERIC && unsigned16()) {
        Cursor<? extends RealType<?>> c = cursor;
        for (int x = 0; x < w; x++) {
          histogram[(int) c.next().getRealDouble()]++;
        }
      } else {
        throw new IllegalStateException("count() needs 8- or 16-bit unsigned values");
      }
      row++;
    }
  }
}
