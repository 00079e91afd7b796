package io.github.neuroseg.onnx;

import io.github.neuroseg.InvalidInputException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small block-style YAML emitter for maps, lists, strings, numbers and booleans, whose output
 * reads the same under YAML 1.1 and 1.2 (bioimage.io asks for both). Every string is
 * double-quoted with escapes, so that no value changes type under either version ({@code no},
 * {@code 0.5.7}, {@code 2024-05-04} stay strings); keys are written plain when they are
 * identifiers that no YAML version reads as another type, quoted otherwise; floating-point
 * numbers always carry a decimal point and no exponent, which both versions read as floats.
 */
final class YamlWriter {
  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  /** Plain words YAML 1.1 reads as booleans or null. */
  private static final Set<String> WORDS =
      Set.of("y", "n", "yes", "no", "true", "false", "on", "off", "null");

  private final StringBuilder out = new StringBuilder();

  private YamlWriter() {}

  /**
   * The document for {@code root}, after {@code comment} lines.
   *
   * @param root keys to values: {@link Map}, {@link List}, {@link CharSequence}, {@link Number}
   *     or {@link Boolean}, nested freely; maps keep their iteration order
   * @throws InvalidInputException for a value of another type, a non-finite number or a lone
   *     surrogate in a string
   */
  static String write(List<String> comment, Map<String, ?> root) {
    YamlWriter w = new YamlWriter();
    for (String c : comment) {
      w.out.append("# ").append(c.replace('\n', ' ')).append('\n');
    }
    if (root.isEmpty()) {
      w.out.append("{}\n");
    } else {
      w.map(root, 0);
    }
    return w.out.toString();
  }

  private void map(Map<?, ?> m, int indent) {
    boolean first = true;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!first) {
        pad(indent);
      }
      first = false;
      String key = String.valueOf(e.getKey());
      boolean plain = KEY.matcher(key).matches()
          && !WORDS.contains(key.toLowerCase(Locale.ROOT));
      out.append(plain ? key : quote(key)).append(':');
      value(e.getValue(), indent);
    }
  }

  /** Writes a value after {@code "key:"} or {@code "-"}, starting on that line. */
  private void value(Object v, int indent) {
    if (v instanceof Map<?, ?> m && !m.isEmpty()) {
      out.append('\n');
      pad(indent + 2);
      map(m, indent + 2);
    } else if (v instanceof List<?> l && !l.isEmpty()) {
      out.append('\n');
      list(l, indent + 2);
    } else {
      out.append(' ').append(scalar(v)).append('\n');
    }
  }

  private void list(List<?> l, int indent) {
    for (Object item : l) {
      pad(indent);
      out.append('-');
      if (item instanceof Map<?, ?> m && !m.isEmpty()) {
        // the first key on the dash's line, the others under it
        out.append(' ');
        map(m, indent + 2);
      } else if (item instanceof List<?> inner && !inner.isEmpty()) {
        out.append('\n');
        list(inner, indent + 2);
      } else {
        out.append(' ').append(scalar(item)).append('\n');
      }
    }
  }

  private void pad(int indent) {
    out.append(" ".repeat(indent));
  }

  static String scalar(Object v) {
    if (v instanceof Map<?, ?>) {
      return "{}";
    }
    if (v instanceof List<?>) {
      return "[]";
    }
    if (v instanceof Boolean b) {
      return b ? "true" : "false";
    }
    if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      return v.toString();
    }
    if (v instanceof Number n) {
      return number(n.doubleValue());
    }
    if (v instanceof CharSequence s) {
      return quote(s.toString());
    }
    throw new InvalidInputException("cannot write a " + (v == null ? "null" : v.getClass()
        .getName()) + " as YAML; expected a map, list, string, number or boolean");
  }

  /** A float with a decimal point and no exponent: a float under YAML 1.1 and 1.2 alike. */
  static String number(double d) {
    if (!Double.isFinite(d)) {
      throw new InvalidInputException("YAML numbers must be finite, got " + d);
    }
    String t = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    if (t.equals("-0")) {
      t = "0";
    }
    return t.contains(".") ? t : t + ".0";
  }

  /**
   * A double-quoted scalar. Control and non-ASCII characters are escaped, those beyond the BMP
   * as {@code \UXXXXXXXX} (an escaped surrogate pair would read back as two lone surrogates in
   * some parsers).
   *
   * @throws InvalidInputException for a lone surrogate, which has no UTF-8 form
   */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
            throw new InvalidInputException("cannot write a lone UTF-16 surrogate (U+"
                + Integer.toHexString(c).toUpperCase(Locale.ROOT) + ") as YAML");
          } else if (c > 0xFFFF) {
            b.append(String.format(Locale.ROOT, "\\U%08x", c));
          } else if (c < 0x20 || c >= 0x7F) {
            b.append(String.format(Locale.ROOT, "\\u%04x", c));
          } else {
            b.append((char) c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
