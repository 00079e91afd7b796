package io.github.neuroseg.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.neuroseg.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ChecksTest {

  private static void refused(String message, Executable check) {
    assertEquals(message, assertThrows(InvalidInputException.class, check).getMessage());
  }

  @Test
  void acceptedValuesComeBack() {
    assertEquals(3, Checks.positive("n", 3));
    assertEquals(0, Checks.atLeast("n", 0, 0));
    assertEquals(-2.5, Checks.finite("x", -2.5));
    assertEquals(Double.MIN_VALUE, Checks.positiveFinite("x", Double.MIN_VALUE));
    assertEquals(0.0, Checks.nonNegativeFinite("x", 0.0));
    assertEquals(1.0, Checks.inRange("p", 1.0, 0, 1));
    assertEquals(0.0, Checks.inRange("p", 0.0, 0, 1));
  }

  @Test
  void refusalsSayWhatWasExpectedAndGiven() {
    refused("batch size must be > 0, got 0", () -> Checks.positive("batch size", 0));
    refused("max nodes must be >= 2, got 1", () -> Checks.atLeast("max nodes", 1, 2));
    refused("threshold must be finite, got NaN", () -> Checks.finite("threshold", Double.NaN));
    refused("threshold must be finite, got -Infinity",
        () -> Checks.finite("threshold", Double.NEGATIVE_INFINITY));
    refused("step must be finite and > 0, got 0.0", () -> Checks.positiveFinite("step", 0));
    refused("step must be finite and > 0, got NaN",
        () -> Checks.positiveFinite("step", Double.NaN));
    refused("step must be finite and > 0, got Infinity",
        () -> Checks.positiveFinite("step", Double.POSITIVE_INFINITY));
    refused("margin must be finite and >= 0, got -1.0E-300",
        () -> Checks.nonNegativeFinite("margin", -1e-300));
    refused("margin must be finite and >= 0, got NaN",
        () -> Checks.nonNegativeFinite("margin", Double.NaN));
  }

  @Test
  void rangesRefuseNaNAndWriteWholeBoundsWithoutFractions() {
    refused("threshold must be in [0, 1], got 1.5", () -> Checks.inRange("threshold", 1.5, 0, 1));
    refused("threshold must be in [0, 1], got NaN",
        () -> Checks.inRange("threshold", Double.NaN, 0, 1));
    refused("q must be in [0.5, 99.5], got 100.0", () -> Checks.inRange("q", 100, 0.5, 99.5));
  }

  @Test
  void productsSaturateInsteadOfWrappingAround() {
    assertEquals(24, Checks.product(2, 3, 4));
    assertEquals(0, Checks.product(Long.MAX_VALUE, 0, Long.MAX_VALUE));
    assertEquals(Long.MAX_VALUE, Checks.product(1L << 32, 1L << 32));
    // 2^32 * 2^32 wraps to 0 in long arithmetic; the product must not
    assertEquals(Long.MAX_VALUE, Checks.product(1L << 32, 1L << 32, 2));
    refused("sizes must be >= 0, got -1 in 4 x -1", () -> Checks.product(4, -1));
  }

  @Test
  void arrayLengthsAreCheckedProducts() {
    assertEquals(Checks.MAX_ARRAY_LENGTH, Checks.arrayLength("x", Checks.MAX_ARRAY_LENGTH, 1));
    assertEquals(8 * 5 * 32 * 32 * 4, Checks.arrayLength("batch", 8, 5, 32, 32, 4));
    refused("batch (bytes) must fit one array of at most 2147483639 values, got 100000000 x 5"
        + " x 32 x 32 x 4 = 2048000000000",
        () -> Checks.arrayLength("batch (bytes)", 100_000_000, 5, 32, 32, 4));
    // int arithmetic would give 0 here and a long product would wrap to 0 as well
    refused("tile must fit one array of at most 2147483639 values, got 65536 x 65536 x"
        + " 4294967296 = more than 2^63",
        () -> Checks.arrayLength("tile", 65536, 65536, 1L << 32));
    refused("x must fit one array of at most 2147483639 values, got 2147483640 = 2147483640",
        () -> Checks.arrayLength("x", Checks.MAX_ARRAY_LENGTH + 1L));
  }

  @Test
  void heapRequestsBeyondTheMaximumHeapAreRefused() {
    long max = Runtime.getRuntime().maxMemory();
    assertEquals(1024, Checks.fitsHeap("a buffer", 1024));
    String m = assertThrows(InvalidInputException.class,
        () -> Checks.fitsHeap("the weights", Long.MAX_VALUE)).getMessage();
    assertEquals("the weights would take more than 2^63 bytes, more than the JVM's maximum heap"
        + " of "
        + String.format(java.util.Locale.ROOT, "%,d MiB", (max + (1 << 20) - 1) >> 20)
        + " (raise it with -Xmx)", m);
  }
}
