package io.github.neuroseg.swc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What SWC errors say: the encoding when it is not UTF-8, file text quoted harmlessly. */
class SwcMessagesTest {
  @TempDir Path dir;

  private static final String TREE = "# a tree\n1 1 0 0 0 1 -1\n2 3 4 0 0 1 1\n";

  private FormatException refused(Path f, String... parts) {
    FormatException e = assertThrows(FormatException.class, () -> Swc.read(f));
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), e.getMessage());
    }
    return e;
  }

  @Test
  void utf16TextIsReportedAsSuchWithOrWithoutAByteOrderMark() throws IOException {
    Path le = Files.write(dir.resolve("le.swc"), ("\uFEFF" + TREE)
        .getBytes(StandardCharsets.UTF_16LE));
    FormatException e = refused(le, "UTF-16 text (byte order mark FF FE)",
        "iconv -f UTF-16 -t UTF-8");
    assertEquals(0, e.location());
    refused(Files.write(dir.resolve("be.swc"), TREE.getBytes(StandardCharsets.UTF_16)),
        "UTF-16 text (byte order mark FE FF)");
    e = refused(Files.write(dir.resolve("nobom.swc"), TREE.getBytes(StandardCharsets.UTF_16LE)),
        "NUL bytes", "UTF-16 text without a byte order mark");
    assertEquals(FormatException.LocationKind.OFFSET, e.locationKind());
    assertEquals(1, e.location(), "the first NUL byte");
    // a reader that decoded UTF-16 as UTF-8 hands over NUL characters
    FormatException r = assertThrows(FormatException.class, () -> Swc.parse(
        new String(TREE.getBytes(StandardCharsets.UTF_16LE), StandardCharsets.UTF_8), "r.swc"));
    assertTrue(r.getMessage().contains("NUL characters: UTF-16"), r.getMessage());
    // UTF-8 with a byte order mark is still read
    assertEquals(2, Swc.read(Files.write(dir.resolve("bom8.swc"), ("\uFEFF" + TREE)
        .getBytes(StandardCharsets.UTF_8))).size());
  }

  @Test
  void textQuotedFromTheFileCannotDriveTheTerminal() throws IOException {
    // a token that would retitle the terminal and turn its text red
    Path f = Files.writeString(dir.resolve("esc.swc"),
        "1 1 0 0 0 1 -1\n2 \u001b]0;owned\u0007\u001b[31m 4 0 0 1 1\n");
    FormatException e = refused(f, "line 2", "column type must be an integer, got "
        + "'\\u001b]0;owned\\u0007\\u001b[31m'");
    assertFalse(e.getMessage().chars().anyMatch(c -> c < 0x20), e.getMessage());
    // a line of too few columns is quoted, cut to a readable length
    Path g = Files.writeString(dir.resolve("long.swc"), "1 " + "x".repeat(5000) + "\n");
    e = refused(g, "expected at least 7 columns", "...' (5002 characters)");
    assertTrue(e.getMessage().length() < 300, e.getMessage());
  }
}
