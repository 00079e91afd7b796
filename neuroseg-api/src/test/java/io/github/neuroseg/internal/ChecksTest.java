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
}
