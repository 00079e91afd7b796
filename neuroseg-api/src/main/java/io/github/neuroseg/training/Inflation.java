package io.github.neuroseg.training;

/**
 * How a 2D patch kernel {@code [E, C, p, p]} becomes the 3D kernel {@code [E, 1, D, p, p]}. The
 * colour channels are first summed into one (a grey image fed as RGB gives the same response).
 */
public enum Inflation {
  /** The kernel is copied into all {@code D} depth positions and divided by {@code D}. */
  AVERAGE,
  /** The kernel goes to the centre depth position {@code D / 2}; the others are zero. */
  CENTER
}
