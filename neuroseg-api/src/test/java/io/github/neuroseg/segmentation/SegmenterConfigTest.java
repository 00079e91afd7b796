package io.github.neuroseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.NeuroSeg;
import org.junit.jupiter.api.Test;

class SegmenterConfigTest {
  private static SegmenterBuilder builder() {
    return NeuroSeg.segmenter().model(ModelSource.bytes("m", new byte[] {1}));
  }

  @Test
  void threadsAreBoundedByTheAvailableProcessors() {
    int processors = Runtime.getRuntime().availableProcessors();
    assertEquals(processors, builder().threads(processors).config().threads());
    assertEquals(0, builder().threads(0).config().threads());
    for (int t : new int[] {processors + 1, 256, 10_000, Integer.MAX_VALUE}) {
      assertEquals("threads must be at most the " + processors + " available processors (0 ="
          + " the default), got " + t, assertThrows(InvalidInputException.class,
              () -> builder().threads(t).config()).getMessage());
    }
    assertThrows(InvalidInputException.class, () -> builder().threads(-1).config());
  }
}
