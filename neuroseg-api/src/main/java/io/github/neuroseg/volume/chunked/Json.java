package io.github.neuroseg.volume.chunked;

import com.fasterxml.jackson.jr.ob.JSON;
import io.github.neuroseg.FormatException;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reading and writing the JSON metadata of chunked stores ({@code .zarray}, {@code zarr.json},
 * {@code attributes.json}), with typed getters that report a wrong or missing value as a
 * {@link FormatException} naming the file and the key.
 */
final class Json {
  /** Metadata files larger than this are not metadata: refuse them before reading. */
  static final long MAX_METADATA_BYTES = 16L << 20;

  private static final JSON READER = JSON.std;
  // Zarr v2 needs "compressor": null and "filters": null written out
  private static final JSON WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT,
      JSON.Feature.WRITE_NULL_PROPERTIES);

  private Json() {}

  /** Parses a metadata file into a map; a missing file is {@code null}. */
  static @Nullable Map<String, Object> readIfExists(Path file) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_METADATA_BYTES) {
        throw FormatException.of(file.toString(), "expected a JSON metadata file of at most "
            + MAX_METADATA_BYTES + " bytes, got " + size + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw IoErrors.cannotRead(file, e);
    }
    return parse(file.toString(), bytes);
  }

  /** Parses a metadata file into a map; a missing file is a {@link FormatException}. */
  static Map<String, Object> read(Path file, String what) {
    Map<String, Object> m = readIfExists(file);
    if (m == null) {
      throw FormatException.of(file.toString(), "missing " + what);
    }
    return m;
  }

  static Map<String, Object> parse(String source, byte[] bytes) {
    Object v;
    try {
      v = READER.anyFrom(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      throw FormatException.of(source, "expected JSON metadata, got unreadable JSON: "
          + e.getMessage(), e);
    }
    if (!(v instanceof Map<?, ?>)) {
      throw FormatException.of(source, "expected a JSON object, got "
          + (v == null ? "null" : v.getClass().getSimpleName()));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    return m;
  }

  /** Pretty-printed JSON of maps, lists, strings, numbers and booleans. */
  static byte[] write(Object value) {
    try {
      return (WRITER.asString(value) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON of " + value, e);
    }
  }

  static @Nullable Object get(Map<String, Object> m, String key) {
    return m.get(key);
  }

  static Object require(Map<String, Object> m, String key, String source) {
    Object v = m.get(key);
    if (v == null) {
      throw FormatException.of(source, "missing \"" + key + "\"");
    }
    return v;
  }

  static String string(Map<String, Object> m, String key, String source) {
    Object v = require(m, key, source);
    if (!(v instanceof String s)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be a string, got " + v);
    }
    return s;
  }

  static @Nullable String optString(Map<String, Object> m, String key, String source) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be a string, got " + v);
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Map<String, Object> m, String key, String source) {
    Object v = require(m, key, source);
    if (!(v instanceof Map<?, ?>)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be an object, got " + v);
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static @Nullable Map<String, Object> optObject(Map<String, Object> m, String key,
      String source) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be an object, got " + v);
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asObject(@Nullable Object v, String what, String source) {
    if (!(v instanceof Map<?, ?>)) {
      throw FormatException.of(source, "expected " + what + " to be an object, got " + v);
    }
    return (Map<String, Object>) v;
  }

  static List<?> list(Map<String, Object> m, String key, String source) {
    Object v = require(m, key, source);
    if (!(v instanceof List<?> l)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be a list, got " + v);
    }
    return l;
  }

  static @Nullable List<?> optList(Map<String, Object> m, String key, String source) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?> l)) {
      throw FormatException.of(source, "expected \"" + key + "\" to be a list, got " + v);
    }
    return l;
  }

  /** An integer in {@code [min, max]}. */
  static long integer(@Nullable Object v, String what, long min, long max, String source) {
    long r;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      r = ((Number) v).longValue();
    } else if (v instanceof BigInteger b && b.bitLength() < 63) {
      r = b.longValue();
    } else if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      r = d.longValue();
    } else {
      throw FormatException.of(source, "expected " + what + " to be an integer, got " + v);
    }
    if (r < min || r > max) {
      throw FormatException.of(source, "expected " + what + " in " + min + " .. " + max
          + ", got " + r);
    }
    return r;
  }

  static int intValue(Map<String, Object> m, String key, int min, int max, String source) {
    return (int) integer(require(m, key, source), "\"" + key + "\"", min, max, source);
  }

  /** A number; Zarr's strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} too. */
  static double number(@Nullable Object v, String what, String source) {
    if (v instanceof Number n) {
      if (v instanceof BigDecimal || v instanceof BigInteger) {
        return n.doubleValue();
      }
      return n.doubleValue();
    }
    if (v instanceof String s) {
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw FormatException.of(source, "expected " + what + " to be a number, got " + v);
  }

  /** A list of integers, each in {@code [min, max]}, of the given length (or any if -1). */
  static long[] longs(@Nullable Object v, String what, int length, long min, long max,
      String source) {
    if (!(v instanceof List<?> l)) {
      throw FormatException.of(source, "expected " + what + " to be a list of integers, got "
          + v);
    }
    if (length >= 0 && l.size() != length) {
      throw FormatException.of(source, "expected " + what + " to have " + length
          + " entries, got " + l.size());
    }
    long[] r = new long[l.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = integer(l.get(i), what + "[" + i + "]", min, max, source);
    }
    return r;
  }

  /** A list of numbers of the given length (or any if -1). */
  static double[] doubles(@Nullable Object v, String what, int length, String source) {
    if (!(v instanceof List<?> l)) {
      throw FormatException.of(source, "expected " + what + " to be a list of numbers, got "
          + v);
    }
    if (length >= 0 && l.size() != length) {
      throw FormatException.of(source, "expected " + what + " to have " + length
          + " entries, got " + l.size());
    }
    double[] r = new double[l.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = number(l.get(i), what + "[" + i + "]", source);
    }
    return r;
  }
}
