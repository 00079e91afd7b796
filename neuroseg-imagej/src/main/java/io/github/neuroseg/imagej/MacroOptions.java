package io.github.neuroseg.imagej;

import ij.Macro;

/**
 * Macro options read with ImageJ's own rules, for when no {@code GenericDialog} can be built (a
 * plain ImageJ 1.x without a display): {@code key=value}, {@code key=[value with spaces]} or
 * {@code key='value'} for a field, whose key is the first word of its label in lower case, and
 * the bare key for a ticked checkbox.
 */
final class MacroOptions {
  private final String options;

  MacroOptions(String options) {
    this.options = options.endsWith(" ") ? options : options + " ";
  }

  /** The value of the field labelled {@code label}, or {@code defaultValue} when absent. */
  String string(String label, String defaultValue) {
    // ImageJ's parser, the one GenericDialog uses in macro mode
    String v = Macro.getValue(options, label, defaultValue);
    return v == null ? defaultValue : v;
  }

  /** Whether the checkbox labelled {@code label} is ticked: its key appears as a bare word. */
  boolean flag(String label) {
    return hasWord(options, Macro.trimKey(label));
  }

  /**
   * Whether {@code key} is one of the space-separated words of {@code options}, not counting
   * the inside of bracketed or quoted values (as GenericDialog reads checkboxes).
   */
  static boolean hasWord(String options, String key) {
    int n = options.length();
    int i = 0;
    while (i < n) {
      while (i < n && options.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      while (i < n && options.charAt(i) != ' ') {
        char c = options.charAt(i);
        if (c == '=' && i + 1 < n && (options.charAt(i + 1) == '[' || options.charAt(i + 1)
            == '\'')) {
          i = endOfLiteral(options, i + 1);
        } else {
          i++;
        }
      }
      if (i > start && options.substring(start, i).equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** The index after the literal opening at {@code open}: brackets nest, quotes do not. */
  private static int endOfLiteral(String s, int open) {
    char first = s.charAt(open);
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (first == '\'') {
        if (c == '\'' && i > open) {
          return i + 1;
        }
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i + 1;
      }
    }
    return s.length();
  }
}
