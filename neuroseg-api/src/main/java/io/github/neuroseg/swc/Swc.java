package io.github.neuroseg.swc;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.internal.Quote;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and writes SWC neuron reconstructions.
 *
 * <p>The reader accepts the common dialects: {@code #} comment lines (kept, without the {@code
 * #}, in {@link NeuronTree#comments()}), blank lines, any mix of spaces and tabs, CRLF line ends,
 * ids in any order, several roots, any negative parent as "no parent" (stored as {@link
 * SwcNode#NO_PARENT}), integers written as decimals ({@code -1.0000000e+00}) and extra numeric
 * columns after the seven standard ones (ESWC), kept in {@link SwcNode#extras()}. Text after a
 * {@code #} on a node line is ignored. It is strict about everything else and reports the first
 * problem as a {@link FormatException} naming the file and the line of the offending node. Lines
 * are at most {@value #MAX_LINE_LENGTH} characters with at most {@value #MAX_EXTRA_COLUMNS}
 * extra columns, so reading takes time and memory in proportion to the file.
 *
 * <p>The writer prints {@code \n} line ends in {@link java.util.Locale#ROOT} style, integers for
 * ids, types and parents, and every double in a form that reads back to exactly the same value
 * (integral values without a decimal point), so {@code parse(format(t))} equals {@code t}.
 */
public final class Swc {
  /**
   * The longest line read, in characters (64 Ki): far more than a node with its extra columns
   * needs, so a file of one endless line fails at once instead of filling the memory.
   */
  public static final int MAX_LINE_LENGTH = 1 << 16;

  /** The most extra columns (after the seven standard ones) a node line may have. */
  public static final int MAX_EXTRA_COLUMNS = 64;

  /** Bytes looked at for a byte order mark or NUL bytes. */
  private static final int TEXT_PROBE = 4096;

  /** Longer integer tokens cannot be 64-bit integers in any notation a writer uses. */
  private static final int MAX_INTEGER_TOKEN = 64;

  private Swc() {}

  // plain decimal notation only: no hex, no "f"/"d" suffixes that Double.parseDouble would allow
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final String[] COLUMN_NAMES = {"id", "type", "x", "y", "z", "radius", "parent"};

  /**
   * Reads an SWC file (UTF-8; undecodable bytes in comments are replaced). UTF-16 text (a byte
   * order mark, or NUL bytes) is reported as such rather than as malformed columns.
   *
   * @throws FormatException if the content is malformed (with the line) or not UTF-8 text
   * @throws NeuroSegIOException if the file cannot be read
   */
  public static NeuronTree read(Path path) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      in.mark(TEXT_PROBE);
      checkUtf8Text(in.readNBytes(TEXT_PROBE), path.toString());
      in.reset();
      Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE));
      return parse(reader, path.toString());
    } catch (IOException e) {
      throw IoErrors.cannot("read SWC file", path, e);
    }
  }

  /** Refuses text in another encoding than UTF-8 (ASCII) by its first bytes. */
  private static void checkUtf8Text(byte[] head, String source) {
    int b0 = head.length > 0 ? head[0] & 0xff : -1;
    int b1 = head.length > 1 ? head[1] & 0xff : -1;
    if (b0 == 0xff && b1 == 0xfe || b0 == 0xfe && b1 == 0xff) {
      throw FormatException.atOffset(source, 0, "the file is UTF-16 text (byte order mark "
          + String.format(Locale.ROOT, "%02X %02X", b0, b1) + "), but SWC files are read as UTF-8 (or"
          + " ASCII); save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8");
    }
    for (int i = 0; i < head.length; i++) {
      if (head[i] == 0) {
        throw FormatException.atOffset(source, i, "the file holds NUL bytes: UTF-16 text"
            + " without a byte order mark, or not a text file; SWC files are UTF-8 (or ASCII)"
            + " text, e.g. iconv -f UTF-16LE -t UTF-8 converts UTF-16");
      }
    }
  }

  /**
   * Reads SWC text from a reader, which is not closed.
   *
   * @param sourceName the name used in error messages, e.g. a file name or URL
   * @throws FormatException if the content is malformed
   * @throws NeuroSegIOException if reading fails
   */
  public static NeuronTree read(Reader reader, String sourceName) {
    try {
      return parse(reader, sourceName);
    } catch (IOException e) {
      throw IoErrors.cannot("read SWC from", sourceName, e);
    }
  }

  /**
   * Parses SWC text.
   *
   * @param sourceName the name used in error messages
   * @throws FormatException if the content is malformed
   */
  public static NeuronTree parse(String text, String sourceName) {
    try {
      return parse(new StringReader(text), sourceName);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
  }

  private static NeuronTree parse(Reader reader, String source) throws IOException {
    Lines in = new Lines(reader, source);
    List<String> comments = new ArrayList<>();
    List<SwcNode> nodes = new ArrayList<>();
    List<Long> lines = new ArrayList<>();
    Map<Long, Integer> indexById = new HashMap<>();
    long lineNo = 0;
    String line;
    while ((line = in.next(lineNo + 1)) != null) {
      lineNo++;
      String trimmed = line.strip();
      if (lineNo == 1 && !trimmed.isEmpty() && trimmed.charAt(0) == '\uFEFF') {
        trimmed = trimmed.substring(1).strip(); // byte order mark
      }
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.indexOf('\0') >= 0) {
        throw FormatException.atLine(source, lineNo, "the line holds NUL characters: UTF-16"
            + " text read as UTF-8? SWC is UTF-8 (or ASCII) text");
      }
      if (trimmed.charAt(0) == '#') {
        comments.add(trimmed.substring(1));
        continue;
      }
      int hash = trimmed.indexOf('#');
      if (hash >= 0) {
        trimmed = trimmed.substring(0, hash).strip();
      }
      SwcNode node = parseNode(trimmed, source, lineNo);
      Integer previous = indexById.putIfAbsent(node.id(), nodes.size());
      if (previous != null) {
        throw FormatException.atLine(source, lineNo,
            "duplicate node id " + node.id() + " (first defined on line " + lines.get(previous)
                + ")");
      }
      nodes.add(node);
      lines.add(lineNo);
    }
    int n = nodes.size();
    int[] parentIndex = new int[n];
    for (int i = 0; i < n; i++) {
      SwcNode node = nodes.get(i);
      if (node.isRoot()) {
        parentIndex[i] = -1;
      } else {
        Integer p = indexById.get(node.parent());
        if (p == null) {
          throw FormatException.atLine(source, lines.get(i),
              "node " + node.id() + " names parent " + node.parent()
                  + ", but no node has that id");
        }
        parentIndex[i] = p;
      }
    }
    checkAcyclic(nodes, lines, parentIndex, source);
    return NeuronTree.of(nodes, comments);
  }

  /** Finds a parent cycle and reports the node of the cycle that comes first in the file. */
  private static void checkAcyclic(
      List<SwcNode> nodes, List<Long> lines, int[] parentIndex, String source) {
    int i = NeuronTree.nodeOnCycle(parentIndex);
    if (i < 0) {
      return;
    }
    int first = i;
    StringBuilder ids = new StringBuilder().append(nodes.get(i).id());
    for (int j = parentIndex[i]; j != i; j = parentIndex[j]) {
      first = Math.min(first, j);
      ids.append(" -> ").append(nodes.get(j).id());
    }
    ids.append(" -> ").append(nodes.get(i).id());
    throw FormatException.atLine(source, lines.get(first),
        "node " + nodes.get(first).id() + " is on a parent cycle (" + ids
            + "), so it never reaches a root");
  }

  private static SwcNode parseNode(String text, String source, long line) {
    String[] f = WHITESPACE.split(text);
    if (f.length < 7) {
      throw FormatException.atLine(source, line,
          "expected at least 7 columns (id type x y z radius parent), got " + f.length + ": "
              + Quote.quote(text));
    }
    long id = integer(f[0], COLUMN_NAMES[0], source, line);
    if (id < 0) {
      throw FormatException.atLine(source, line, "node id must be >= 0, got " + f[0]);
    }
    long typeValue = integer(f[1], COLUMN_NAMES[1], source, line);
    if (typeValue < Integer.MIN_VALUE || typeValue > Integer.MAX_VALUE) {
      throw FormatException.atLine(source, line,
          "structure type must fit a 32-bit integer, got " + f[1]);
    }
    double x = coordinate(f[2], COLUMN_NAMES[2], source, line);
    double y = coordinate(f[3], COLUMN_NAMES[3], source, line);
    double z = coordinate(f[4], COLUMN_NAMES[4], source, line);
    double radius = number(f[5], COLUMN_NAMES[5], source, line);
    if (!(radius >= 0) || Double.isInfinite(radius)) {
      throw FormatException.atLine(source, line,
          "radius must be a finite number >= 0, got " + f[5]);
    }
    long parent = integer(f[6], COLUMN_NAMES[6], source, line);
    if (parent < 0) {
      parent = SwcNode.NO_PARENT;
    } else if (parent == id) {
      throw FormatException.atLine(source, line,
          "node " + id + " is its own parent (a parent cycle)");
    }
    List<Double> extras = List.of();
    if (f.length > 7 + MAX_EXTRA_COLUMNS) {
      throw FormatException.atLine(source, line, "expected at most " + MAX_EXTRA_COLUMNS
          + " extra columns after the seven standard ones, got " + (f.length - 7));
    }
    if (f.length > 7) {
      Double[] e = new Double[f.length - 7];
      for (int k = 7; k < f.length; k++) {
        e[k - 7] = number(f[k], "extra column " + (k + 1), source, line);
      }
      extras = List.of(e);
    }
    return new SwcNode(id, (int) typeValue, x, y, z, radius, parent, extras);
  }

  private static double coordinate(String token, String name, String source, long line) {
    double v = number(token, name, source, line);
    if (!Double.isFinite(v)) {
      throw FormatException.atLine(source, line,
          "coordinate " + name + " must be a finite number, got " + token);
    }
    return v;
  }

  /** A decimal number; NaN and infinities are accepted here so callers can name the problem. */
  private static double number(String token, String name, String source, long line) {
    if (DECIMAL.matcher(token).matches()) {
      return Double.parseDouble(token);
    }
    String t = token.startsWith("+") || token.startsWith("-") ? token.substring(1) : token;
    boolean negative = token.startsWith("-");
    if (t.equalsIgnoreCase("nan")) {
      return Double.NaN;
    }
    if (t.equalsIgnoreCase("inf") || t.equalsIgnoreCase("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    throw FormatException.atLine(source, line,
        "column " + name + " must be a number, got " + Quote.quote(token));
  }

  /** An integer, possibly written as a decimal with a zero fraction ({@code 3.0}, {@code -1e0}). */
  private static long integer(String token, String name, String source, long line) {
    if (token.length() > MAX_INTEGER_TOKEN) {
      // refused by length: exact decimal parsing is quadratic in the digits
      throw FormatException.atLine(source, line, "column " + name + " must be an integer"
          + " within 64 bits, got " + Quote.quote(token));
    }
    if (!DECIMAL.matcher(token).matches()) {
      throw FormatException.atLine(source, line,
          "column " + name + " must be an integer, got " + Quote.quote(token));
    }
    try {
      BigDecimal d = new BigDecimal(token.startsWith("+") ? token.substring(1) : token);
      if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
        throw FormatException.atLine(source, line,
            "column " + name + " must be an integer, got " + Quote.quote(token));
      }
      return d.longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw FormatException.atLine(source, line,
          "column " + name + " must be an integer within 64 bits, got " + Quote.quote(token));
    }
  }

  /**
   * The lines of a reader, without their ends ({@code \n}, {@code \r\n} or {@code \r}), each
   * refused as soon as it grows past {@link #MAX_LINE_LENGTH} characters.
   */
  private static final class Lines {
    private final Reader in;
    private final String source;
    private final char[] buf = new char[1 << 16];
    private final StringBuilder line = new StringBuilder();
    private int pos;
    private int len;
    private boolean afterCr;
    private boolean eof;

    Lines(Reader in, String source) {
      this.in = in;
      this.source = source;
    }

    /** The next line, number {@code lineNo}, or {@code null} at the end. */
    String next(long lineNo) throws IOException {
      line.setLength(0);
      while (true) {
        if (pos == len) {
          if (eof) {
            return line.length() > 0 ? line.toString() : null;
          }
          len = in.read(buf, 0, buf.length);
          pos = 0;
          if (len < 0) {
            len = 0;
            eof = true;
            continue;
          }
        }
        if (afterCr) {
          afterCr = false;
          if (buf[pos] == '\n') {
            pos++; // the \n of a \r\n
            continue;
          }
        }
        int start = pos;
        while (pos < len && buf[pos] != '\n' && buf[pos] != '\r') {
          pos++;
        }
        if (line.length() + pos - start > MAX_LINE_LENGTH) {
          throw FormatException.atLine(source, lineNo, "line is longer than " + MAX_LINE_LENGTH
              + " characters; an SWC node needs far fewer");
        }
        line.append(buf, start, pos - start);
        if (pos < len) {
          afterCr = buf[pos] == '\r';
          pos++;
          return line.toString();
        }
      }
    }
  }

  /**
   * Writes the tree to a file: a temporary file in the same folder, then moved into place, so a
   * reader never sees a half-written file.
   *
   * @throws NeuroSegIOException if writing fails (the target is then left unchanged)
   */
  public static void write(NeuronTree tree, Path path) {
    AtomicWrite.write(path, temp -> {
      try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        writeTo(tree, w);
      }
    });
  }

  /**
   * Writes the tree as SWC text to a writer, which is flushed but not closed.
   *
   * @throws NeuroSegIOException if writing fails
   */
  public static void write(NeuronTree tree, Writer writer) {
    try {
      writeTo(tree, writer);
    } catch (IOException e) {
      throw IoErrors.cannot("write", "SWC", e);
    }
  }

  /** The tree as SWC text. */
  public static String format(NeuronTree tree) {
    StringWriter out = new StringWriter(Math.max(64, tree.size() * 48));
    write(tree, out);
    return out.toString();
  }

  private static void writeTo(NeuronTree tree, Writer writer) throws IOException {
    Writer w = writer instanceof BufferedWriter || writer instanceof StringWriter
        ? writer : new BufferedWriter(writer, 1 << 16);
    if (tree.comments().isEmpty()) {
      int extras = 0;
      for (SwcNode n : tree.nodes()) {
        extras = Math.max(extras, n.extras().size());
      }
      w.write("# SWC written by neuroseg\n");
      w.write("# id type x y z radius parent");
      for (int k = 0; k < extras; k++) {
        w.write(" extra" + (k + 1));
      }
      w.write('\n');
    } else {
      for (String c : tree.comments()) {
        // a comment must stay one line, or the extra lines would be read as nodes
        w.write('#');
        w.write(c.replace("\r", " ").replace("\n", " "));
        w.write('\n');
      }
    }
    StringBuilder sb = new StringBuilder(96);
    for (SwcNode n : tree.nodes()) {
      sb.setLength(0);
      sb.append(n.id()).append(' ').append(n.structure()).append(' ');
      appendNumber(sb, n.x()).append(' ');
      appendNumber(sb, n.y()).append(' ');
      appendNumber(sb, n.z()).append(' ');
      appendNumber(sb, n.radius()).append(' ');
      sb.append(n.parent());
      for (Double e : n.extras()) {
        sb.append(' ');
        appendNumber(sb, e);
      }
      sb.append('\n');
      w.write(sb.toString());
    }
    w.flush();
  }

  /**
   * Appends a double so that parsing gives the identical value: integral values below 2^53 as
   * integers, {@code -0} kept, everything else as {@link Double#toString}, which round-trips.
   */
  static StringBuilder appendNumber(StringBuilder sb, double v) {
    if (v == 0) {
      return sb.append(Double.doubleToRawLongBits(v) == 0 ? "0" : "-0");
    }
    if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
      return sb.append((long) v);
    }
    if (Double.isNaN(v)) {
      return sb.append("NaN");
    }
    if (Double.isInfinite(v)) {
      return sb.append(v > 0 ? "Infinity" : "-Infinity");
    }
    String s = Double.toString(v);
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e16 && s.indexOf('E') >= 0) {
      // the same digits without an exponent: 1.234567825E7 -> 12345678.25
      return sb.append(new BigDecimal(s).toPlainString());
    }
    int e = s.indexOf(".0E");
    // "1.0E-5" -> "1E-5": the same value, shorter
    return sb.append(e >= 0 ? s.substring(0, e) + s.substring(e + 2) : s);
  }
}
