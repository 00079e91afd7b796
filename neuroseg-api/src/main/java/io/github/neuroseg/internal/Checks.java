package io.github.neuroseg.internal;

import io.github.neuroseg.InvalidInputException;

/**
 * Argument checks that throw {@link InvalidInputException} with one message shape, {@code <what>
 * must be <condition>, got <value>}, so every builder and record says the same thing the same
 * way. Each returns the value it accepted, for use in assignments. Not API: it may change in any
 * release.
 */
public final class Checks {
  private Checks() {}

  /**
   * {@code value > 0}.
   *
   * @param what the name in the message, e.g. {@code "batch size"}
   * @param value the value to check
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be > 0, got <value>}
   */
  public static int positive(String what, int value) {
    if (value <= 0) {
      throw new InvalidInputException(what + " must be > 0, got " + value);
    }
    return value;
  }

  /**
   * {@code value >= min}.
   *
   * @param what the name in the message
   * @param value the value to check
   * @param min the smallest value accepted
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be >= <min>, got <value>}
   */
  public static int atLeast(String what, int value, int min) {
    if (value < min) {
      throw new InvalidInputException(what + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  /**
   * A finite number (not NaN, not infinite).
   *
   * @param what the name in the message
   * @param value the value to check
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be finite, got <value>}
   */
  public static double finite(String what, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidInputException(what + " must be finite, got " + value);
    }
    return value;
  }

  /**
   * A finite number {@code > 0}.
   *
   * @param what the name in the message
   * @param value the value to check
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be finite and > 0, got <value>}
   */
  public static double positiveFinite(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new InvalidInputException(what + " must be finite and > 0, got " + value);
    }
    return value;
  }

  /**
   * A finite number {@code >= 0}.
   *
   * @param what the name in the message
   * @param value the value to check
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be finite and >= 0, got <value>}
   */
  public static double nonNegativeFinite(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new InvalidInputException(what + " must be finite and >= 0, got " + value);
    }
    return value;
  }

  /**
   * {@code low <= value <= high}; NaN is outside every range.
   *
   * @param what the name in the message
   * @param value the value to check
   * @param low the smallest value accepted
   * @param high the largest value accepted
   * @return {@code value}
   * @throws InvalidInputException {@code <what> must be in [<low>, <high>], got <value>} (whole
   *     bounds written without a fraction, e.g. {@code [0, 1]})
   */
  public static double inRange(String what, double value, double low, double high) {
    if (!(value >= low && value <= high)) {
      throw new InvalidInputException(what + " must be in [" + bound(low) + ", " + bound(high)
          + "], got " + value);
    }
    return value;
  }

  private static String bound(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
