package io.github.neuroseg.volume;

import java.nio.ByteBuffer;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.BooleanType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * The sample types a volume file can hold, each with the imglib2 type it is read into and the
 * way its samples move between bytes and a slice's array. Both file formats (TIFF and v3draw)
 * and the row writer use it, so it belongs to neither.
 */
enum SampleKind {
  U8(1), S8(1), U16(2), S16(2), U32(4), S32(4), F32(4), F64(8);

  final int bytes;

  SampleKind(int bytes) {
    this.bytes = bytes;
  }

  /** For messages, e.g. {@code 16-bit unsigned}. */
  String describe() {
    return switch (this) {
      case U8 -> "8-bit unsigned";
      case S8 -> "8-bit signed";
      case U16 -> "16-bit unsigned";
      case S16 -> "16-bit signed";
      case U32 -> "32-bit unsigned";
      case S32 -> "32-bit signed";
      case F32 -> "32-bit float";
      case F64 -> "64-bit float";
    };
  }

  /** Whether the samples are integers (the TIFF horizontal predictor applies to them). */
  boolean isInteger() {
    return this != F32 && this != F64;
  }

  /**
   * The kind a volume is written as: unsigned 8-bit (and boolean) and unsigned 16-bit stay,
   * everything else becomes 32-bit float.
   */
  static SampleKind forWriting(RandomAccessibleInterval<? extends RealType<?>> img) {
    Object t = img.getType();
    if (t instanceof UnsignedByteType || t instanceof BooleanType<?>) {
      return U8;
    }
    if (t instanceof UnsignedShortType) {
      return U16;
    }
    return F32;
  }

  /** A planar image of this kind (one primitive array per slice) to read a file into. */
  PlanarImg<? extends RealType<?>, ?> createPlanar(int w, int h, int d) {
    return switch (this) {
      case U8 -> PlanarImgs.unsignedBytes(w, h, d);
      case S8 -> PlanarImgs.bytes(w, h, d);
      case U16 -> PlanarImgs.unsignedShorts(w, h, d);
      case S16 -> PlanarImgs.shorts(w, h, d);
      case U32 -> PlanarImgs.unsignedInts(w, h, d);
      case S32 -> PlanarImgs.ints(w, h, d);
      case F32 -> PlanarImgs.floats(w, h, d);
      case F64 -> PlanarImgs.doubles(w, h, d);
    };
  }

  /**
   * Copies {@code n} samples from {@code from} (in its byte order) into the slice array {@code
   * plane} (the primitive array of this kind) starting at sample {@code at}.
   */
  void copy(ByteBuffer from, Object plane, long at, int n) {
    int o = Math.toIntExact(at);
    switch (this) {
      case U8, S8 -> from.get((byte[]) plane, o, n);
      case U16, S16 -> from.asShortBuffer().get((short[]) plane, o, n);
      case U32, S32 -> from.asIntBuffer().get((int[]) plane, o, n);
      case F32 -> from.asFloatBuffer().get((float[]) plane, o, n);
      case F64 -> from.asDoubleBuffer().get((double[]) plane, o, n);
    }
  }
}
