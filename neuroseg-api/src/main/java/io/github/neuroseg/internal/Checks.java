package io.github.neuroseg.internal;

import io.github.neuroseg.InvalidInputException;

/**
 * Argument checks that throw {@link InvalidInputException} with one message shape, {@code <what>
 * must be <condition>, got <value>}, so every builder and record says the same thing the same
 * way. Each returns the value it accepted, for use in assignments. Not API: it may change in any
 * release.
 */
public final class Checks {
  /** The longest Java array the JVM allocates on every platform: {@code 2^31 - 9}. */
  public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private Checks() {}

  /**
   * The product of sizes, or {@link Long#MAX_VALUE} when it overflows 64 bits, so that a size
   * read from a file or an option can be compared with a limit without wrapping around.
   *
   * @param factors sizes, each {@code >= 0}
   * @return their product, saturated at {@link Long#MAX_VALUE}
   * @throws InvalidInputException for a negative factor
   */
  public static long product(long... factors) {
    long p = 1;
    boolean overflow = false;
    for (long f : factors) {
      if (f < 0) {
        throw new InvalidInputException("sizes must be >= 0, got " + f + " in "
            + times(factors));
      }
      if (f == 0) {
        return 0;
      }
      if (!overflow && p > Long.MAX_VALUE / f) {
        overflow = true;
      }
      p = overflow ? Long.MAX_VALUE : p * f;
    }
    return p;
  }

  /**
   * The product of sizes as the length of one Java array: the one check of every buffer sized
   * by a product (batch x tile, width x height x depth, a tensor's shape), so that a size too
   * large for one array is refused before anything is allocated, instead of wrapping around.
   *
   * @param what the buffer in the message, e.g. {@code "a batch of input tiles (bytes)"}
   * @param factors sizes, each {@code >= 0}
   * @return the product, {@code <= MAX_ARRAY_LENGTH}
   * @throws InvalidInputException {@code <what> must fit one array of at most 2147483639
   *     values, got <a> x <b> = <product>} (or a negative factor)
   */
  public static int arrayLength(String what, long... factors) {
    long p = product(factors);
    if (p > MAX_ARRAY_LENGTH) {
      throw new InvalidInputException(what + " must fit one array of at most "
          + MAX_ARRAY_LENGTH + " values, got " + times(factors) + " = "
          + (p == Long.MAX_VALUE ? "more than 2^63" : Long.toString(p)));
    }
    return (int) p;
  }

  /**
   * Refuses {@code bytes} of Java arrays that the JVM's heap could never hold, so that an
   * oversized request fails at once with a message instead of after a long
   * {@link OutOfMemoryError}.
   *
   * @param what what needs the memory, e.g. {@code "the network's weights"}
   * @param bytes the bytes needed (saturated products are fine)
   * @return {@code bytes}
   * @throws InvalidInputException {@code <what> would take <n> MiB, more than the JVM's maximum
   *     heap of <m> MiB (raise it with -Xmx)}
   */
  public static long fitsHeap(String what, long bytes) {
    long max = Runtime.getRuntime().maxMemory();
    if (max != Long.MAX_VALUE && bytes > max) {
      throw new InvalidInputException(what + " would take " + mebibytes(bytes)
          + ", more than the JVM's maximum heap of " + mebibytes(max)
          + " (raise it with -Xmx)");
    }
    return bytes;
  }

  private static String mebibytes(long bytes) {
    return bytes == Long.MAX_VALUE ? "more than 2^63 bytes"
        : String.format(java.util.Locale.ROOT, "%,d MiB", (bytes + (1 << 20) - 1) >> 20);
  }

  private static String times(long... factors) {
    StringBuilder b = new StringBuilder();
    for (long f : factors) {
      b.append(b.length() == 0 ? "" : " x ").append(f);
    }
    return b.toString();
  }

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
