package io.github.neuroseg.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuoteTest {
  @Test
  void controlAndInvisibleCharactersAreEscaped() {
    assertEquals("'abc 1.5'", Quote.quote("abc 1.5"));
    // a terminal title and colour escape, a carriage return that would overwrite the line
    assertEquals("'\\u001b]0;owned\\u0007\\u001b[31mred\\r'",
        Quote.quote("\u001b]0;owned\u0007\u001b[31mred\r"));
    assertEquals("'a\\nb\\tc'", Quote.quote("a\nb\tc"));
    // a right-to-left override that would reverse what follows, a zero-width space, a BOM
    assertEquals("'x\\u202eyz\\u200b\\ufeff'", Quote.quote("x\u202eyz\u200b\ufeff"));
    assertEquals("'\\u0000\\u007f\\u0085'", Quote.quote("\u0000\u007f\u0085"));
    // letters of any script and pairs of surrogates (emoji) stay
    assertEquals("'Größe 神经 \uD83E\uDDE0'", Quote.quote("Größe 神经 \uD83E\uDDE0"));
    // an unpaired surrogate does not
    assertEquals("'\\ud83e'", Quote.quote("\uD83E"));
    assertEquals("null", Quote.quote(null));
  }

  @Test
  void longTextIsCutWithItsLength() {
    String q = Quote.quote("7".repeat(1_000_000));
    assertEquals("'" + "7".repeat(Quote.MAX_QUOTED) + "...' (1000000 characters)", q);
    String exact = "x".repeat(Quote.MAX_QUOTED);
    assertEquals("'" + exact + "'", Quote.quote(exact));
    // a surrogate pair is not cut in half
    String pairs = "a" + "\uD83E\uDDE0".repeat(60);
    assertTrue(Quote.quote(pairs).startsWith("'a" + "\uD83E\uDDE0".repeat(39) + "...' ("),
        Quote.quote(pairs));
  }

  @Test
  void printableEscapesWithoutQuotingOrCutting() {
    assertEquals("cannot read /tmp/a\\nb.tif: no such file",
        Quote.printable("cannot read /tmp/a\nb.tif: no such file"));
    String plain = "nothing to escape";
    assertTrue(plain == Quote.printable(plain), "no copy when nothing is escaped");
  }
}
