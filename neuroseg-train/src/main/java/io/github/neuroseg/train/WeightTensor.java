package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A dense float32 tensor in row-major (C) order with its shape: the unit of weights read from and
 * written to checkpoints. The arrays are not copied; treat them as read-only once shared.
 *
 * @param shape sizes, outermost first (empty for a scalar)
 * @param data {@code product(shape)} values, last axis fastest
 */
public record WeightTensor(long[] shape, float[] data) {

  /**
   * Checks that the data length matches the shape.
   *
   * @throws InvalidInputException on a negative size or a length mismatch
   */
  public WeightTensor {
    long n = 1;
    for (long s : shape) {
      if (s < 0) {
        throw new InvalidInputException("tensor sizes must be >= 0, got " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n != data.length) {
      throw new InvalidInputException("tensor of shape " + Arrays.toString(shape) + " needs " + n
          + " values, got " + data.length);
    }
  }

  /** Number of values. */
  public int size() {
    return data.length;
  }

  /** Whether the shape equals {@code other}. */
  public boolean hasShape(long... other) {
    return Arrays.equals(shape, other);
  }

  /** The shape as text, e.g. {@code [384, 3, 16, 16]}. */
  public String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof WeightTensor t && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "WeightTensor" + shapeText();
  }
}
