package io.github.neuroseg.volume.chunked;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.DoubleArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.IntArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import org.jspecify.annotations.Nullable;

/**
 * The voxel types chunked stores hold, with their names in Zarr v2 ({@code <u2}), Zarr v3 and N5
 * ({@code uint16}), their imglib2 type and the primitive array of a cell.
 */
enum DataType {
  UINT8(1, false, true),
  INT8(1, false, false),
  UINT16(2, false, true),
  INT16(2, false, false),
  UINT32(4, false, true),
  INT32(4, false, false),
  FLOAT32(4, true, false),
  FLOAT64(8, true, false);

  final int bytes;
  final boolean floating;
  final boolean unsigned;

  DataType(int bytes, boolean floating, boolean unsigned) {
    this.bytes = bytes;
    this.floating = floating;
    this.unsigned = unsigned;
  }

  /** The v3 / N5 name: {@code uint8}, {@code float32}, ... */
  String n5Name() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The numpy kind letter and size of a Zarr v2 dtype, without the byte-order character. */
  String v2Code() {
    return (floating ? "f" : unsigned ? "u" : "i") + bytes;
  }

  /** A type by its v3 / N5 name, or {@code null} when unknown. */
  static @Nullable DataType byName(String name) {
    for (DataType t : values()) {
      if (t.n5Name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** A type by the numpy kind letter and size of a Zarr v2 dtype ({@code u2}), or null. */
  static @Nullable DataType byV2Code(String code) {
    for (DataType t : values()) {
      if (t.v2Code().equals(code)) {
        return t;
      }
    }
    return null;
  }

  /** A fresh imglib2 type instance for this data type. */
  @SuppressWarnings("rawtypes")
  NativeType imglibType() {
    return switch (this) {
      case UINT8 -> new UnsignedByteType();
      case INT8 -> new ByteType();
      case UINT16 -> new UnsignedShortType();
      case INT16 -> new ShortType();
      case UINT32 -> new UnsignedIntType();
      case INT32 -> new IntType();
      case FLOAT32 -> new FloatType();
      case FLOAT64 -> new DoubleType();
    };
  }

  /** The data type that keeps every value of an imglib2 type exactly, or FLOAT32 otherwise. */
  static DataType forImglibType(Object type) {
    if (type instanceof UnsignedByteType) {
      return UINT8;
    } else if (type instanceof ByteType) {
      return INT8;
    } else if (type instanceof UnsignedShortType) {
      return UINT16;
    } else if (type instanceof ShortType) {
      return INT16;
    } else if (type instanceof UnsignedIntType) {
      return UINT32;
    } else if (type instanceof IntType) {
      return INT32;
    } else if (type instanceof DoubleType) {
      return FLOAT64;
    } else if (type instanceof net.imglib2.type.BooleanType<?>) {
      return UINT8;
    }
    return FLOAT32;
  }

  /** A primitive array of {@code n} elements filled with {@code fill}, as a cell's data. */
  Object newArray(int n, double fill) {
    return switch (this) {
      case UINT8, INT8 -> {
        byte[] a = new byte[n];
        if (fill != 0) {
          Arrays.fill(a, (byte) (long) fill);
        }
        yield new ByteArray(a);
      }
      case UINT16, INT16 -> {
        short[] a = new short[n];
        if (fill != 0) {
          Arrays.fill(a, (short) (long) fill);
        }
        yield new ShortArray(a);
      }
      case UINT32, INT32 -> {
        int[] a = new int[n];
        if (fill != 0) {
          Arrays.fill(a, (int) (long) fill);
        }
        yield new IntArray(a);
      }
      case FLOAT32 -> {
        float[] a = new float[n];
        if (fill != 0) {
          Arrays.fill(a, (float) fill);
        }
        yield new FloatArray(a);
      }
      case FLOAT64 -> {
        double[] a = new double[n];
        if (fill != 0) {
          Arrays.fill(a, fill);
        }
        yield new DoubleArray(a);
      }
    };
  }

  /**
   * Copies {@code count} elements from {@code src} (its byte order set), starting at element
   * {@code from} and stepping {@code step} elements, into the primitive array {@code dst} at
   * {@code to}.
   */
  void copy(ByteBuffer src, long from, long step, int count, Object dst, int to) {
    int i = (int) from;
    int s = (int) step;
    switch (this) {
      case UINT8, INT8 -> {
        byte[] a = ((ByteArray) dst).getCurrentStorageArray();
        if (s == 1) {
          src.get(i, a, to, count);
        } else {
          for (int k = 0; k < count; k++, i += s) {
            a[to + k] = src.get(i);
          }
        }
      }
      case UINT16, INT16 -> {
        short[] a = ((ShortArray) dst).getCurrentStorageArray();
        if (s == 1) {
          src.asShortBuffer().get(i, a, to, count);
        } else {
          for (int k = 0; k < count; k++, i += s) {
            a[to + k] = src.getShort(i * 2);
          }
        }
      }
      case UINT32, INT32 -> {
        int[] a = ((IntArray) dst).getCurrentStorageArray();
        if (s == 1) {
          src.asIntBuffer().get(i, a, to, count);
        } else {
          for (int k = 0; k < count; k++, i += s) {
            a[to + k] = src.getInt(i * 4);
          }
        }
      }
      case FLOAT32 -> {
        float[] a = ((FloatArray) dst).getCurrentStorageArray();
        if (s == 1) {
          src.asFloatBuffer().get(i, a, to, count);
        } else {
          for (int k = 0; k < count; k++, i += s) {
            a[to + k] = src.getFloat(i * 4);
          }
        }
      }
      case FLOAT64 -> {
        double[] a = ((DoubleArray) dst).getCurrentStorageArray();
        if (s == 1) {
          src.asDoubleBuffer().get(i, a, to, count);
        } else {
          for (int k = 0; k < count; k++, i += s) {
            a[to + k] = src.getDouble(i * 8);
          }
        }
      }
    }
  }

  /**
   * Writes {@code value} as element {@code index} of {@code dst} (its byte order set), rounded
   * and clamped to the type's range for integer types.
   */
  void put(ByteBuffer dst, int index, double value) {
    switch (this) {
      case UINT8 -> dst.put(index, (byte) clamp(value, 0, 255));
      case INT8 -> dst.put(index, (byte) clamp(value, -128, 127));
      case UINT16 -> dst.putShort(index * 2, (short) clamp(value, 0, 65535));
      case INT16 -> dst.putShort(index * 2, (short) clamp(value, -32768, 32767));
      case UINT32 -> dst.putInt(index * 4, (int) clamp(value, 0, 4294967295L));
      case INT32 -> dst.putInt(index * 4, (int) clamp(value, Integer.MIN_VALUE,
          Integer.MAX_VALUE));
      case FLOAT32 -> dst.putFloat(index * 4, (float) value);
      case FLOAT64 -> dst.putDouble(index * 8, value);
    }
  }

  private static long clamp(double v, long lo, long hi) {
    if (Double.isNaN(v)) {
      return 0;
    }
    long r = Math.round(v);
    return Math.max(lo, Math.min(hi, r));
  }

  /** Whether {@code t} reads back exactly as this type (same values). */
  static boolean exact(RealType<?> t, DataType d) {
    return forImglibType(t) == d;
  }

}
