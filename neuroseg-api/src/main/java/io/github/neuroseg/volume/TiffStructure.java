package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The page structure of a TIFF file (classic or BigTIFF): byte order and, for every top-level
 * IFD, the tags the volume reader needs, and the tag numbers the writer uses. Parsing checks
 * every offset against the file size, so a truncated or corrupt file fails here with the offset
 * of the problem instead of deep inside a decoder. It knows the container only; what the pages
 * hold is {@link TiffReader}'s business.
 */
final class TiffStructure {

  static final int NEW_SUBFILE_TYPE = 254;
  static final int IMAGE_WIDTH = 256;
  static final int IMAGE_LENGTH = 257;
  static final int BITS_PER_SAMPLE = 258;
  static final int COMPRESSION = 259;
  static final int PHOTOMETRIC = 262;
  static final int IMAGE_DESCRIPTION = 270;
  static final int FILL_ORDER = 266;
  static final int ORIENTATION = 274;
  static final int STRIP_OFFSETS = 273;
  static final int SAMPLES_PER_PIXEL = 277;
  static final int ROWS_PER_STRIP = 278;
  static final int STRIP_BYTE_COUNTS = 279;
  static final int X_RESOLUTION = 282;
  static final int Y_RESOLUTION = 283;
  static final int PLANAR_CONFIGURATION = 284;
  static final int RESOLUTION_UNIT = 296;
  static final int PREDICTOR = 317;
  static final int TILE_WIDTH = 322;
  static final int TILE_LENGTH = 323;
  static final int TILE_OFFSETS = 324;
  static final int TILE_BYTE_COUNTS = 325;
  static final int SAMPLE_FORMAT = 339;

  private static final Set<Integer> WANTED = Set.of(
      NEW_SUBFILE_TYPE, IMAGE_WIDTH, IMAGE_LENGTH, BITS_PER_SAMPLE, COMPRESSION, PHOTOMETRIC,
      IMAGE_DESCRIPTION, FILL_ORDER, ORIENTATION, STRIP_OFFSETS, SAMPLES_PER_PIXEL,
      ROWS_PER_STRIP, STRIP_BYTE_COUNTS, X_RESOLUTION, Y_RESOLUTION, PLANAR_CONFIGURATION,
      RESOLUTION_UNIT, PREDICTOR, TILE_WIDTH, TILE_LENGTH, TILE_OFFSETS, TILE_BYTE_COUNTS,
      SAMPLE_FORMAT);

  /** Guards against IFD chains that never end (a corrupt "next IFD" pointer). */
  private static final int MAX_PAGES = 1 << 20;

  /**
   * One IFD: its offset and the wanted tags, integers as {@code long[]}, rationals and floats as
   * {@code double[]}, ASCII as {@code String}.
   */
  record Page(long offset, Map<Integer, Object> tags) {

    long[] longs(int tag) {
      Object v = tags.get(tag);
      if (v instanceof long[] a) {
        return a;
      }
      return new long[0];
    }

    long longOr(int tag, long fallback) {
      long[] a = longs(tag);
      return a.length == 0 ? fallback : a[0];
    }

    double doubleOr(int tag, double fallback) {
      Object v = tags.get(tag);
      if (v instanceof double[] a && a.length > 0) {
        return a[0];
      }
      if (v instanceof long[] a && a.length > 0) {
        return a[0];
      }
      return fallback;
    }

    @Nullable String text(int tag) {
      return tags.get(tag) instanceof String s ? s : null;
    }

    boolean has(int tag) {
      return tags.containsKey(tag);
    }
  }

  final String source;
  final long fileSize;
  final ByteOrder order;
  final boolean bigTiff;
  final List<Page> pages;

  private TiffStructure(String source, long fileSize, ByteOrder order, boolean bigTiff,
      List<Page> pages) {
    this.source = source;
    this.fileSize = fileSize;
    this.order = order;
    this.bigTiff = bigTiff;
    this.pages = pages;
  }

  /** Whether the first bytes are a TIFF or BigTIFF header. */
  static boolean isTiff(byte[] head) {
    if (head.length < 4) {
      return false;
    }
    boolean ii = head[0] == 'I' && head[1] == 'I' && head[3] == 0
        && (head[2] == 42 || head[2] == 43);
    boolean mm = head[0] == 'M' && head[1] == 'M' && head[2] == 0
        && (head[3] == 42 || head[3] == 43);
    return ii || mm;
  }

  static TiffStructure parse(VolumeFile f) throws IOException {
    String source = f.source;
    long size = f.size;
    ByteBuffer head = f.bytes(0, 8, "the TIFF header");
    byte b0 = head.get(0);
    byte b1 = head.get(1);
    ByteOrder order;
    if (b0 == 'I' && b1 == 'I') {
      order = ByteOrder.LITTLE_ENDIAN;
    } else if (b0 == 'M' && b1 == 'M') {
      order = ByteOrder.BIG_ENDIAN;
    } else {
      throw FormatException.atOffset(source, 0,
          "expected a TIFF byte-order mark 'II' or 'MM', got bytes " + hex(b0) + " " + hex(b1));
    }
    head.order(order);
    int magic = head.getShort(2) & 0xffff;
    boolean big;
    long first;
    if (magic == 42) {
      big = false;
      first = head.getInt(4) & 0xffffffffL;
    } else if (magic == 43) {
      big = true;
      ByteBuffer h = f.bytes(0, 16, "the BigTIFF header").order(order);
      if ((h.getShort(4) & 0xffff) != 8) {
        throw FormatException.atOffset(source, 4,
            "expected BigTIFF offset size 8, got " + (h.getShort(4) & 0xffff));
      }
      first = h.getLong(8);
    } else {
      throw FormatException.atOffset(source, 2,
          "expected TIFF version 42 (or 43 for BigTIFF), got " + magic);
    }
    List<Page> pages = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    // every value occupies at least one byte of the file, unless IFDs share value arrays: the
    // values of all IFDs together are bounded by the file size (and a little for small shared
    // arrays), so that many IFDs pointing at one large array cannot exhaust memory
    long[] valuesLeft = {size + (1 << 20)};
    long next = first;
    long pointerAt = big ? 8 : 4;
    while (next != 0) {
      if (next < 0 || next >= size) {
        throw FormatException.atOffset(source, pointerAt, "IFD offset " + next
            + " points outside the file (size " + size + " bytes): the file is truncated or corrupt");
      }
      if (!seen.add(next)) {
        throw FormatException.atOffset(source, pointerAt,
            "IFD offset " + next + " was already visited: the page chain loops");
      }
      if (pages.size() >= MAX_PAGES) {
        throw FormatException.atOffset(source, next, "more than " + MAX_PAGES + " pages");
      }
      long[] nextPointer = new long[1];
      pages.add(readIfd(f, order, big, next, nextPointer, valuesLeft));
      pointerAt = nextPointer[0];
      next = big
          ? f.bytes(pointerAt, 8, "the next-IFD offset").order(order).getLong(0)
          : f.bytes(pointerAt, 4, "the next-IFD offset").order(order).getInt(0)
              & 0xffffffffL;
    }
    if (pages.isEmpty()) {
      throw FormatException.atOffset(source, 4, "the TIFF file has no image (first IFD offset 0)");
    }
    return new TiffStructure(source, size, order, big, List.copyOf(pages));
  }

  private static Page readIfd(VolumeFile f, ByteOrder order, boolean big, long at,
      long[] nextPointer, long[] valuesLeft) throws IOException {
    String source = f.source;
    int countBytes = big ? 8 : 2;
    int entryBytes = big ? 20 : 12;
    ByteBuffer cb = f.bytes(at, countBytes, "the IFD entry count").order(order);
    long n = big ? cb.getLong(0) : cb.getShort(0) & 0xffff;
    if (n <= 0 || n > 4096) {
      throw FormatException.atOffset(source, at, "IFD with " + n + " entries (expected 1..4096)");
    }
    ByteBuffer entries = f.bytes(at + countBytes, (int) n * entryBytes, "the IFD entries")
        .order(order);
    nextPointer[0] = at + countBytes + n * entryBytes;
    Map<Integer, Object> tags = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int e = i * entryBytes;
      int tag = entries.getShort(e) & 0xffff;
      int fieldType = entries.getShort(e + 2) & 0xffff;
      long count = big ? entries.getLong(e + 4) : entries.getInt(e + 4) & 0xffffffffL;
      int unit = typeSize(fieldType);
      if (!WANTED.contains(tag) || unit == 0) {
        continue; // unknown field types must be skipped, says the TIFF specification
      }
      long entryAt = at + countBytes + e;
      if (count < 0 || count > Integer.MAX_VALUE / 8) {
        throw FormatException.atOffset(source, entryAt,
            "tag " + tag + " has an implausible value count " + count);
      }
      valuesLeft[0] -= count;
      if (valuesLeft[0] < 0) {
        throw FormatException.atOffset(source, entryAt, "tag " + tag + " brings the values of"
            + " all IFDs to more than the " + f.size + " bytes of the file can hold; the IFDs"
            + " share their value arrays or the counts are corrupt");
      }
      long bytes = count * unit;
      int inline = big ? 8 : 4;
      ByteBuffer value;
      if (bytes <= inline) {
        value = entries.duplicate().order(order).position(e + (big ? 12 : 8)).slice().order(order);
      } else {
        long valueAt = big ? entries.getLong(e + 12) : entries.getInt(e + 8) & 0xffffffffL;
        value = f.bytes(valueAt, (int) bytes, "the values of tag " + tag).order(order);
      }
      tags.put(tag, decode(fieldType, (int) count, value));
    }
    return new Page(at, Map.copyOf(tags));
  }

  private static Object decode(int fieldType, int count, ByteBuffer v) {
    switch (fieldType) {
      case 2: {
        byte[] raw = new byte[count];
        v.get(0, raw);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
          end++;
        }
        // ImageJ and OME write UTF-8 in practice although the specification says 7-bit ASCII
        return new String(raw, 0, end, StandardCharsets.UTF_8);
      }
      case 5:
      case 10: {
        double[] r = new double[count];
        for (int i = 0; i < count; i++) {
          long num = fieldType == 5 ? v.getInt(8 * i) & 0xffffffffL : v.getInt(8 * i);
          long den = fieldType == 5 ? v.getInt(8 * i + 4) & 0xffffffffL : v.getInt(8 * i + 4);
          r[i] = den == 0 ? 0 : (double) num / den;
        }
        return r;
      }
      case 11:
      case 12: {
        double[] r = new double[count];
        for (int i = 0; i < count; i++) {
          r[i] = fieldType == 11 ? v.getFloat(4 * i) : v.getDouble(8 * i);
        }
        return r;
      }
      default: {
        long[] r = new long[count];
        for (int i = 0; i < count; i++) {
          r[i] = switch (fieldType) {
            case 1, 7 -> v.get(i) & 0xffL;
            case 6 -> v.get(i);
            case 3 -> v.getShort(2 * i) & 0xffffL;
            case 8 -> v.getShort(2 * i);
            case 4, 13 -> v.getInt(4 * i) & 0xffffffffL;
            case 9 -> v.getInt(4 * i);
            default -> v.getLong(8 * i); // 16, 17, 18
          };
        }
        return r;
      }
    }
  }

  private static int typeSize(int fieldType) {
    return switch (fieldType) {
      case 1, 2, 6, 7 -> 1;
      case 3, 8 -> 2;
      case 4, 9, 11, 13 -> 4;
      case 5, 10, 12, 16, 17, 18 -> 8;
      default -> 0;
    };
  }

  private static String hex(byte b) {
    return String.format("0x%02x", b & 0xff);
  }
}
