package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.volume.TiffStructure.Page;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Reads a TIFF page's pixel data into a slice's array where neuroseg decodes it itself:
 * uncompressed strips, strips compressed with LZW, Deflate or PackBits (no predictor, or the
 * horizontal one on integers), and the contiguous slices of ImageJ's layout for stacks over
 * 4 GiB; and checks every strip or tile against the file size before anything is read. It is the
 * glue between a page's tags and {@link StripCodecs} (which only turns bytes into bytes); which
 * pages go here and which to {@link TwelveMonkeysTiff} is {@link TiffReader}'s choice.
 */
final class TiffStrips {
  private TiffStrips() {}

  /** Uncompressed strips of samples of exactly {@code kind}'s width: read straight in. */
  static boolean isPlain(Page page, SampleKind kind) {
    return page.longOr(TiffStructure.COMPRESSION, 1) == 1
        && page.has(TiffStructure.STRIP_OFFSETS)
        && !page.has(TiffStructure.TILE_OFFSETS)
        && page.longOr(TiffStructure.BITS_PER_SAMPLE, 1) == 8L * kind.bytes;
  }

  /**
   * Strips compressed with LZW, Deflate or PackBits, with no predictor or the horizontal one on
   * integers: decoded here, several times faster than through ImageIO. Tiles, JPEG, floating
   * point predictors and other rarities go to the TwelveMonkeys plugin.
   */
  static boolean isOwnCompressed(Page page, SampleKind kind) {
    long c = page.longOr(TiffStructure.COMPRESSION, 1);
    long predictor = page.longOr(TiffStructure.PREDICTOR, 1);
    return (c == 5 || c == 8 || c == 32946 || c == 32773)
        && (predictor == 1 || (predictor == 2 && kind.isInteger()))
        && page.longOr(TiffStructure.FILL_ORDER, 1) == 1
        && page.has(TiffStructure.STRIP_OFFSETS)
        && page.longs(TiffStructure.STRIP_BYTE_COUNTS).length
            >= page.longs(TiffStructure.STRIP_OFFSETS).length
        && !page.has(TiffStructure.TILE_OFFSETS)
        && page.longOr(TiffStructure.BITS_PER_SAMPLE, 1) == 8L * kind.bytes;
  }

  /**
   * Every uncompressed strip of a page lies inside the file and together they cover its rows;
   * each strip's offset and bytes are added to {@code strips}.
   */
  static void checkPlain(VolumeFile f, Page page, int pageNo, int width, int height,
      SampleKind kind, Map<Long, Long> strips) {
    long rowBytes = (long) width * kind.bytes;
    long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
    long rps = rowsPerStrip(page, height);
    long row = 0;
    for (int i = 0; i < offsets.length && row < height; i++) {
      long rows = Math.min(rps, height - row);
      if (!f.holds(offsets[i], rows * rowBytes)) {
        throw FormatException.atOffset(f.source, offsets[i], "page " + pageNo + " strip " + i
            + " needs " + rows * rowBytes + " bytes but the file ends at byte " + f.size
            + "; it is truncated");
      }
      strips.merge(offsets[i], rows * rowBytes, Math::max);
      row += rows;
    }
    if (row < height) {
      throw tooFewStrips(f, page, pageNo, offsets.length, rps, height);
    }
  }

  /**
   * Every strip or tile lies inside the file (so a decoder failure is not a truncation), and a
   * tile decodes to no more than its stored bytes can expand to; each chunk's offset and bytes
   * are added to {@code chunks}.
   */
  static void checkChunks(VolumeFile f, Page page, int pageNo, SampleKind kind,
      Map<Long, Long> chunks) {
    boolean tiled = page.has(TiffStructure.TILE_OFFSETS);
    long[] offsets = page.longs(tiled ? TiffStructure.TILE_OFFSETS : TiffStructure.STRIP_OFFSETS);
    long[] counts = page.longs(tiled ? TiffStructure.TILE_BYTE_COUNTS
        : TiffStructure.STRIP_BYTE_COUNTS);
    if (offsets.length == 0) {
      throw FormatException.atOffset(f.source, page.offset(),
          "page " + pageNo + " has no strip or tile offsets");
    }
    long tileBytes = tiled ? Checks.product(Math.max(0, page.longOr(TiffStructure.TILE_WIDTH, 0)),
        Math.max(0, page.longOr(TiffStructure.TILE_LENGTH, 0)), kind.bytes) : 0;
    for (int i = 0; i < offsets.length; i++) {
      long n = i < counts.length ? counts[i] : 0;
      if (!f.holds(offsets[i], n)) {
        throw FormatException.atOffset(f.source, offsets[i], "page " + pageNo + (tiled
            ? " tile " : " strip ") + i + " needs " + n + " bytes but the file ends at byte "
            + f.size + "; it is truncated");
      }
      if (tiled) {
        f.checkClaim(offsets[i], "page " + pageNo + " tile " + i + " of "
            + page.longOr(TiffStructure.TILE_WIDTH, 0) + " x "
            + page.longOr(TiffStructure.TILE_LENGTH, 0) + " " + kind.describe() + " voxels",
            tileBytes, n, maxExpansion(page));
      }
      chunks.merge(offsets[i], n, Math::max);
    }
  }

  /**
   * How many times a page's compression can expand its stored bytes at most: PackBits 128
   * bytes from 2, Deflate about 1032:1, LZW about 1400:1 (12-bit codes of strings that grow by
   * one byte until the table is cleared at 4094 entries), 2048 for other codecs.
   */
  static long maxExpansion(Page page) {
    long codec = switch ((int) page.longOr(TiffStructure.COMPRESSION, 1)) {
      case 1 -> 1;
      case 32773 -> 64;
      case 8, 32946 -> 1040;
      case 5 -> 1400;
      default -> 2048;
    };
    // pixels of fewer than 8 bits (bilevel, 2- and 4-bit) are widened to a byte each
    long bits = page.longOr(TiffStructure.BITS_PER_SAMPLE, 8);
    return bits >= 1 && bits < 8 ? codec * ((8 + bits - 1) / bits) : codec;
  }

  /** Reads a page of uncompressed strips into {@code plane}. */
  static void readPlain(VolumeFile f, ByteOrder order, Page page, int pageNo, int width,
      int height, SampleKind kind, Object plane) throws IOException {
    long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
    long rps = rowsPerStrip(page, height);
    long rowBytes = (long) width * kind.bytes;
    int row = 0;
    for (int i = 0; i < offsets.length && row < height; i++) {
      int rows = (int) Math.min(rps, height - row);
      long bytes = rows * rowBytes;
      if (bytes > Integer.MAX_VALUE) {
        // one giant strip: read it row by row
        for (int r = 0; r < rows; r++) {
          ByteBuffer b = f.bytes(offsets[i] + r * rowBytes, (int) rowBytes,
              "page " + pageNo + " row " + (row + r)).order(order);
          kind.copy(b, plane, (long) (row + r) * width, width);
        }
      } else {
        ByteBuffer b = f.bytes(offsets[i], (int) bytes, "page " + pageNo + " strip " + i)
            .order(order);
        kind.copy(b, plane, (long) row * width, rows * width);
      }
      row += rows;
    }
    if (row < height) {
      throw tooFewStrips(f, page, pageNo, offsets.length, rps, height);
    }
  }

  /**
   * Decodes a page of compressed strips into {@code plane}.
   *
   * @return false when the page turns out to need the general decoder (old-style LZW, or a
   *     strip over 2 GiB)
   */
  static boolean readCompressed(VolumeFile f, ByteOrder order, Page page, int pageNo, int width,
      int height, SampleKind kind, Object plane) throws IOException {
    long[] offsets = page.longs(TiffStructure.STRIP_OFFSETS);
    long[] counts = page.longs(TiffStructure.STRIP_BYTE_COUNTS);
    long compression = page.longOr(TiffStructure.COMPRESSION, 1);
    boolean predictor = page.longOr(TiffStructure.PREDICTOR, 1) == 2;
    long rps = rowsPerStrip(page, height);
    long rowBytes = (long) width * kind.bytes;
    StripCodecs.LzwTable table = compression == 5 ? new StripCodecs.LzwTable() : null;
    int row = 0;
    for (int i = 0; i < offsets.length && row < height; i++) {
      int rows = (int) Math.min(rps, height - row);
      if (counts[i] > Integer.MAX_VALUE || rows * rowBytes > Integer.MAX_VALUE) {
        return false;
      }
      byte[] in = new byte[(int) counts[i]];
      f.bytes(offsets[i], in.length, "page " + pageNo + " strip " + i).get(in);
      byte[] out = new byte[(int) (rows * rowBytes)];
      int n;
      try {
        if (compression == 5) {
          if (StripCodecs.isOldStyleLzw(in)) {
            return false;
          }
          n = StripCodecs.lzw(in, out, table);
        } else if (compression == 32773) {
          n = StripCodecs.packBits(in, out);
        } else {
          n = StripCodecs.deflate(in, out);
        }
      } catch (StripCodecs.CorruptDataException e) {
        throw FormatException.atOffset(f.source, offsets[i], "page " + pageNo + " strip " + i
            + ": " + e.getMessage(), e);
      }
      if (n < out.length) {
        throw FormatException.atOffset(f.source, offsets[i], "page " + pageNo + " strip " + i
            + " decodes to " + n + " bytes, expected " + out.length + " (" + rows + " rows of "
            + rowBytes + " bytes); the data is corrupt or truncated");
      }
      kind.copy(ByteBuffer.wrap(out).order(order), plane, (long) row * width, rows * width);
      if (predictor) {
        undoHorizontalDifferencing(kind, plane, row, rows, width);
      }
      row += rows;
    }
    if (row < height) {
      throw tooFewStrips(f, page, pageNo, offsets.length, rps, height);
    }
    return true;
  }

  /**
   * The data of every slice lies inside the file when a stack of {@code images} pages is stored
   * the way ImageJ stores stacks over 4 GiB: one IFD, all pages contiguous from its first strip.
   */
  static void checkContiguous(VolumeFile f, Page first, int images, long pageBytes) {
    long[] offsets = first.longs(TiffStructure.STRIP_OFFSETS);
    long base = offsets.length == 0 ? 0 : offsets[0];
    if (offsets.length == 0 || !f.holds(base, Checks.product(images, pageBytes))) {
      throw FormatException.atOffset(f.source, base, "the ImageJ stack of " + images
          + " images of " + pageBytes + " bytes does not fit in the file (" + f.size
          + " bytes); it is truncated");
    }
  }

  /**
   * Reads page {@code pageNo} of a stack stored as ImageJ stores stacks over 4 GiB (one IFD, all
   * pages contiguous after the first) into {@code plane}.
   */
  static void readContiguous(VolumeFile f, ByteOrder order, Page first, int pageNo, int width,
      int height, SampleKind kind, Object plane) throws IOException {
    long[] offsets = first.longs(TiffStructure.STRIP_OFFSETS);
    if (offsets.length == 0 || first.longOr(TiffStructure.COMPRESSION, 1) != 1) {
      throw FormatException.atOffset(f.source, first.offset(),
          "page " + pageNo + " is missing and the stack is not stored contiguously");
    }
    long pageBytes = (long) width * height * kind.bytes;
    long base = offsets[0] + pageNo * pageBytes;
    if (!f.holds(base, pageBytes)) {
      throw FormatException.atOffset(f.source, base, "slice " + pageNo + " of the contiguous"
          + " ImageJ stack needs " + pageBytes + " bytes but the file ends at byte " + f.size
          + "; it is truncated");
    }
    f.readSlice(base, width, height, kind, order, plane, "slice " + pageNo);
  }

  /** TIFF predictor 2: each sample was stored as the difference to its left neighbour. */
  private static void undoHorizontalDifferencing(SampleKind kind, Object plane, int row,
      int rows, int width) {
    for (int y = row; y < row + rows; y++) {
      int start = y * width;
      switch (kind) {
        case U8, S8 -> {
          byte[] a = (byte[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        case U16, S16 -> {
          short[] a = (short[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        case U32, S32 -> {
          int[] a = (int[]) plane;
          for (int i = start + 1; i < start + width; i++) {
            a[i] += a[i - 1];
          }
        }
        default -> throw new IllegalStateException("no integer predictor for " + kind);
      }
    }
  }

  /** RowsPerStrip, at most the page height; a missing or nonsensical value means one strip. */
  private static long rowsPerStrip(Page page, int height) {
    long rps = Math.min(page.longOr(TiffStructure.ROWS_PER_STRIP, height), height);
    return rps <= 0 ? height : rps;
  }

  private static FormatException tooFewStrips(VolumeFile f, Page page, int pageNo, int strips,
      long rps, int height) {
    return FormatException.atOffset(f.source, page.offset(), "page " + pageNo + " has "
        + strips + " strips of " + rps + " rows, too few for " + height + " rows");
  }
}
