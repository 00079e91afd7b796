package io.github.neuroseg.model;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A dense float32 tensor in row-major (C) order with its shape: the unit of weights that
 * checkpoints, the training network and the ONNX writer exchange. The arrays are used as given,
 * not copied (weights can be hundreds of megabytes); treat them as read-only once shared.
 *
 * @param shape sizes, outermost first (empty for a scalar)
 * @param values {@code product(shape)} values, last axis fastest
 */
public record FloatTensor(int[] shape, float[] values) {

  /**
   * Checks that the values fill the shape.
   *
   * @throws InvalidInputException on a negative size or a length mismatch
   */
  public FloatTensor {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new InvalidInputException("tensor sizes must be >= 0, got " + Arrays.toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new InvalidInputException("a tensor of shape " + Arrays.toString(shape)
            + " has more values than one array can hold");
      }
    }
    if (n != values.length) {
      throw new InvalidInputException("a tensor of shape " + Arrays.toString(shape) + " needs "
          + n + " values, got " + values.length);
    }
  }

  /**
   * A tensor of a shape given as {@code long} sizes (as file formats store them).
   *
   * @throws InvalidInputException when a size does not fit an {@code int} or the values do not
   *     fill the shape
   */
  public static FloatTensor of(long[] shape, float[] values) {
    int[] s = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
        throw new InvalidInputException("tensor sizes must be in [0, 2^31), got "
            + Arrays.toString(shape));
      }
      s[i] = (int) shape[i];
    }
    return new FloatTensor(s, values);
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** Whether the shape equals {@code other}. */
  public boolean hasShape(int... other) {
    return Arrays.equals(shape, other);
  }

  /** The shape as {@code long} sizes (ONNX and DJL dimensions). */
  public long[] dims() {
    return Arrays.stream(shape).asLongStream().toArray();
  }

  /** The shape as text, e.g. {@code [384, 3, 16, 16]}. */
  public String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof FloatTensor t && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "FloatTensor" + shapeText();
  }
}
