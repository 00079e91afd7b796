package io.github.neuroseg.examples.cli;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;

/** Mask helpers of the command line. */
final class Masks {
  private Masks() {}

  /** A lazy 0/1 view: 1 where the value is above {@code threshold}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static RandomAccessibleInterval<BitType> binary(
      RandomAccessibleInterval<? extends RealType<?>> img, double threshold) {
    RandomAccessibleInterval raw = img;
    return Converters.convert(raw,
        (in, out) -> ((BitType) out).set(((RealType<?>) in).getRealDouble() > threshold),
        new BitType());
  }
}
