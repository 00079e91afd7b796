package io.github.neuroseg.volume;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.jspecify.annotations.Nullable;

/**
 * Delivers a volume's voxels row by row (z, then y) as bytes of the written sample kind, and
 * tracks their range. Array- and plane-backed images of exactly the written type are copied in
 * bulk; anything else (views, cell images, other types) goes through a cursor, value by value.
 * The TIFF and v3draw writers both write their voxels through it.
 */
final class RowSource {
  private final SampleKind kind;
  private final int width;
  private final int height;
  private final @Nullable Object whole; // the one array of an ArrayImg
  private final @Nullable PlanarImg<?, ?> planar;
  private final @Nullable Cursor<? extends RealType<?>> cursor;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  /**
   * Writes every voxel of {@code volume} as {@code kind} samples in {@code order}, rows of x, y
   * fastest then z, and returns the source with the range of what was written.
   */
  static RowSource writeAll(OutputStream out, Volume volume, SampleKind kind, ByteOrder order)
      throws IOException {
    int h = (int) volume.height();
    int d = (int) volume.depth();
    ByteBuffer row = ByteBuffer.allocate((int) volume.width() * kind.bytes).order(order);
    RowSource rows = new RowSource(volume.image(), kind);
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        rows.row(y, z, row);
        out.write(row.array(), 0, row.position());
      }
    }
    return rows;
  }

  RowSource(RandomAccessibleInterval<? extends RealType<?>> img, SampleKind kind) {
    this.kind = kind;
    this.width = (int) img.dimension(0);
    this.height = (int) img.dimension(1);
    Object t = img.getType();
    boolean exact = switch (kind) {
      case U8 -> t instanceof UnsignedByteType;
      case U16 -> t instanceof UnsignedShortType;
      case F32 -> t instanceof FloatType;
      default -> false;
    };
    Object array = null;
    PlanarImg<?, ?> planes = null;
    if (exact && img instanceof ArrayImg<?, ?> a && a.update(null) instanceof ArrayDataAccess<?> d
        && (long) width * height * img.dimension(2) <= Integer.MAX_VALUE) {
      array = d.getCurrentStorageArray();
    } else if (exact && img instanceof PlanarImg<?, ?> p) {
      planes = p;
    }
    this.whole = array;
    this.planar = planes;
    this.cursor = array == null && planes == null ? Views.flatIterable(img).cursor() : null;
  }

  /** Fills {@code out} (cleared first) with row {@code y} of slice {@code z}; rows in order. */
  void row(int y, int z, ByteBuffer out) {
    out.clear();
    Object src = null;
    int at = 0;
    if (whole != null) {
      src = whole;
      at = (z * height + y) * width;
    } else if (planar != null) {
      src = ((ArrayDataAccess<?>) planar.getPlane(z)).getCurrentStorageArray();
      at = y * width;
    }
    if (src != null) {
      bulk(src, at, out);
      return;
    }
    Cursor<? extends RealType<?>> c = cursor;
    for (int x = 0; x < width; x++) {
      RealType<?> t = c.next();
      if (kind == SampleKind.F32) {
        // getRealFloat keeps a float's exact bits (a NaN's payload too) where double would not
        float f = t.getRealFloat();
        out.putFloat(f);
        track(f);
      } else {
        double v = t.getRealDouble();
        if (kind == SampleKind.U8) {
          out.put((byte) (int) v);
        } else {
          out.putShort((short) (int) v);
        }
        track(v);
      }
    }
  }

  private void bulk(Object src, int at, ByteBuffer out) {
    switch (kind) {
      case U8 -> {
        byte[] a = (byte[]) src;
        out.put(a, at, width);
        for (int i = at; i < at + width; i++) {
          track(a[i] & 0xff);
        }
      }
      case U16 -> {
        short[] a = (short[]) src;
        out.asShortBuffer().put(a, at, width);
        out.position(out.position() + 2 * width);
        for (int i = at; i < at + width; i++) {
          track(a[i] & 0xffff);
        }
      }
      default -> {
        float[] a = (float[]) src;
        out.asFloatBuffer().put(a, at, width);
        out.position(out.position() + 4 * width);
        for (int i = at; i < at + width; i++) {
          track(a[i]);
        }
      }
    }
  }

  private void track(double v) {
    if (v < min) {
      min = v;
    }
    if (v > max) {
      max = v;
    }
  }

  double min() {
    return min;
  }

  double max() {
    return max;
  }
}
