package io.github.neuroseg.internal;

import org.jspecify.annotations.Nullable;

/**
 * The one sanitiser of text read from files (SWC tokens, metadata values, tensor names, YAML
 * fields) and quoted in messages: control and invisible formatting characters are escaped (a file
 * cannot retitle, recolour or rewrite the user's terminal through an error message), and the
 * text is cut to a readable length. Not API: it may change in any release.
 */
public final class Quote {
  /** The most characters of file text quoted in one message. */
  public static final int MAX_QUOTED = 80;

  private Quote() {}

  /**
   * {@code text} in single quotes, escaped as {@link #printable} does, cut after {@link
   * #MAX_QUOTED} characters: {@code 'abc'}, {@code 'a\u001b[31m'}, {@code 'aaaa...' (1000000
   * characters)}.
   *
   * @param text text from a file, or {@code null}
   * @return the quoted text ({@code null} for {@code null})
   */
  public static String quote(@Nullable CharSequence text) {
    if (text == null) {
      return "null";
    }
    int n = text.length();
    if (n <= MAX_QUOTED) {
      return "'" + printable(text) + "'";
    }
    int cut = MAX_QUOTED;
    if (Character.isHighSurrogate(text.charAt(cut - 1))) {
      cut--; // keep a character whole
    }
    return "'" + printable(text.subSequence(0, cut)) + "...' (" + n + " characters)";
  }

  /**
   * {@code text} with every control character, invisible formatting character (bidirectional
   * overrides, zero-width characters, byte order marks), line or paragraph separator and unpaired
   * surrogate escaped: {@code \n}, {@code \r}, {@code \t}, else {@code \}{@code uXXXX}.
   *
   * @param text any text
   * @return the text, safe to print on a terminal as one line
   */
  public static String printable(CharSequence text) {
    StringBuilder b = null;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1));
      if (paired) {
        if (b != null) {
          b.append(c).append(text.charAt(i + 1));
        }
        i++;
        continue;
      }
      String escaped = escape(c);
      if (escaped != null && b == null) {
        b = new StringBuilder(n + 16).append(text, 0, i);
      }
      if (b != null) {
        if (escaped != null) {
          b.append(escaped);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? text.toString() : b.toString();
  }

  private static String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    int type = Character.getType(c);
    if (type == Character.CONTROL || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE || type == Character.PRIVATE_USE
        || type == Character.UNASSIGNED) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
