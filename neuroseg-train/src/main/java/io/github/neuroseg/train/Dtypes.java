package io.github.neuroseg.train;

import java.nio.ByteBuffer;

/** Conversion of little-endian tensor bytes of several element types to float32. */
final class Dtypes {
  private Dtypes() {}

  /**
   * Decodes {@code count} values of {@code dtype} (safetensors names: F32, F16, BF16, F64, I64,
   * I32, I16, I8, U8, BOOL) from a little-endian buffer.
   */
  static float[] decode(ByteBuffer b, String dtype, int count) {
    float[] out = new float[count];
    switch (dtype) {
      case "F32" -> b.asFloatBuffer().get(out);
      case "F64" -> {
        for (int k = 0; k < count; k++) {
          out[k] = (float) b.getDouble();
        }
      }
      case "F16" -> {
        for (int k = 0; k < count; k++) {
          out[k] = halfToFloat(b.getShort());
        }
      }
      case "BF16" -> {
        for (int k = 0; k < count; k++) {
          out[k] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        }
      }
      case "I64" -> {
        for (int k = 0; k < count; k++) {
          out[k] = b.getLong();
        }
      }
      case "I32" -> {
        for (int k = 0; k < count; k++) {
          out[k] = b.getInt();
        }
      }
      case "I16" -> {
        for (int k = 0; k < count; k++) {
          out[k] = b.getShort();
        }
      }
      case "I8" -> {
        for (int k = 0; k < count; k++) {
          out[k] = b.get();
        }
      }
      case "U8", "BOOL" -> {
        for (int k = 0; k < count; k++) {
          out[k] = b.get() & 0xff;
        }
      }
      default -> throw new IllegalArgumentException(dtype);
    }
    return out;
  }

  /** IEEE 754 binary16 to float (exact: every half value is a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits >>> 15) << 31;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      // subnormal or zero: mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** Whether {@code dtype} is one {@link #decode} knows. */
  static boolean known(String dtype) {
    return switch (dtype) {
      case "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL" -> true;
      default -> false;
    };
  }

  /** Bytes per element of {@code dtype}. */
  static int width(String dtype) {
    return switch (dtype) {
      case "F32", "I32" -> 4;
      case "F16", "BF16", "I16" -> 2;
      case "F64", "I64" -> 8;
      case "I8", "U8", "BOOL" -> 1;
      default -> throw new IllegalArgumentException(dtype);
    };
  }
}
