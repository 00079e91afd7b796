package io.github.neuroseg.train;

import io.github.neuroseg.model.FloatTensor;
import java.util.Arrays;

/**
 * A tensor of a checkpoint whose shape is known before its values are read: checkpoints are
 * inspected (and their unused parts skipped) without decoding every tensor.
 */
interface TensorSource {
  /** The shape. */
  int[] shape();

  /** The element type in the file, in safetensors names (e.g. {@code F32}, {@code F16}). */
  String dtype();

  /** The values as float32 (read from the file on each call). */
  FloatTensor load();

  /** The shape as text, e.g. {@code [384, 3, 16, 16]}. */
  default String shapeText() {
    return Arrays.toString(shape());
  }

  /** A tensor already in memory. */
  static TensorSource of(FloatTensor t) {
    return new TensorSource() {
      @Override
      public int[] shape() {
        return t.shape().clone();
      }

      @Override
      public String dtype() {
        return "F32";
      }

      @Override
      public FloatTensor load() {
        return t;
      }
    };
  }
}
