package io.github.neuroseg.swc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import java.io.Reader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long tokens and long lines: refused by their length, before any costly parsing. */
class SwcLimitsTest {

  private static FormatException refused(String text, long line, String... parts) {
    FormatException e = assertThrows(FormatException.class, () -> Swc.parse(text, "t.swc"));
    assertEquals(line, e.location(), e.getMessage());
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    assertTrue(e.getMessage().length() < 400, "the message quotes a bounded excerpt");
    return e;
  }

  @Test
  void integerColumnsLongerThanAnyLongAreRefusedByTheirLength() {
    // 60,000 digits (within the line limit): exact decimal parsing is quadratic in them
    String digits = "1" + "0".repeat(59_999);
    refused("1 1 0 0 0 1 -1\n" + digits + " 1 0 0 0 1 -1\n", 2,
        "column id must be an integer within 64 bits", "(60000 characters)");
    refused("1 1 0 0 0 1 " + "1." + "0".repeat(50_000) + "\n", 1, "column parent",
        "(50002 characters)");
    // integers written as short decimals are still read
    NeuronTree t = Swc.parse("1.000 1 0 0 0 1 -1.0e+00\n2 3 1 0 0 1 1.0000000e+00\n", "t");
    assertEquals(List.of(1L, 2L), t.nodes().stream().map(SwcNode::id).toList());
  }

  @Test
  void linesLongerThanTheLimitAreRefusedBeforeTheyAreHeld() {
    // a line of a million extra columns
    String line = "1 1 0 0 0 1 -1" + " 0".repeat(1_000_000);
    refused("# header\n" + line + "\n", 2, "line is longer than " + Swc.MAX_LINE_LENGTH
        + " characters");
    // the longest accepted line, and every line end
    String pad = " ".repeat(Swc.MAX_LINE_LENGTH - 14);
    NeuronTree t = Swc.parse("1 1 0 0 0 1 -1" + pad + "\r\n2 1 1 0 0 1 1\r3 1 2 0 0 1 2\n4 1 3"
        + " 0 0 1 3", "t");
    assertEquals(4, t.size());
  }

  @Test
  void extraColumnsAreBounded() {
    String ok = "1 1 0 0 0 1 -1" + " 7".repeat(Swc.MAX_EXTRA_COLUMNS) + "\n";
    assertEquals(Swc.MAX_EXTRA_COLUMNS, Swc.parse(ok, "t").nodes().get(0).extras().size());
    refused(ok.strip() + " 7\n", 1, "at most " + Swc.MAX_EXTRA_COLUMNS + " extra columns");
  }

  @Test
  void aReaderIsReadInBoundedLines() {
    // the reader path (files, streams) and the text path agree, across buffer boundaries
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      b.append(i).append(" 3 ").append(i * 0.5).append(" 0 0 1 ").append(i - 1 == 0 ? -1 : i - 1)
          .append(i % 3 == 0 ? "\r\n" : "\n");
    }
    Reader r = new StringReader(b.toString());
    NeuronTree t = Swc.read(r, "r.swc");
    assertEquals(20_000, t.size());
    assertEquals(t, Swc.parse(b.toString(), "s.swc"));
  }
}
