package io.github.neuroseg.onnx.export;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;

/**
 * A dense float tensor in row-major order. The array is used as given, not copied (weights can
 * be hundreds of megabytes); do not change it while it is in use.
 *
 * @param shape the dimensions
 * @param values {@code product(shape)} values, last dimension fastest
 */
public record FloatTensor(int[] shape, float[] values) {

  /**
   * Checks that the values fill the shape.
   *
   * @throws InvalidInputException otherwise
   */
  public FloatTensor {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new InvalidInputException("tensor dimensions must be >= 0, got "
            + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != values.length) {
      throw new InvalidInputException("a tensor of shape " + Arrays.toString(shape) + " needs "
          + n + " values, got " + values.length);
    }
  }

  /** The shape as ONNX dimensions. */
  long[] dims() {
    return Arrays.stream(shape).asLongStream().toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(t.shape, shape)
        && Arrays.equals(t.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
