package io.github.neuroseg.segmentation;

import io.github.neuroseg.internal.Checks;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.type.numeric.integer.UnsignedByteType;

/** Allocation of 0/1 masks: one array when the volume fits one, else cells. */
final class Masks {
  private Masks() {}

  /** A zeroed mask of these dimensions. */
  static RandomAccessibleInterval<UnsignedByteType> create(long[] dims) {
    return Checks.product(dims) <= Checks.MAX_ARRAY_LENGTH
        ? ArrayImgs.unsignedBytes(dims)
        : new CellImgFactory<>(new UnsignedByteType(), 256, 256, 16).create(dims);
  }
}
