package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Writes a volume as an uncompressed, little-endian TIFF stack in ImageJ's own layout: the pixel
 * data of all slices contiguous after the header, then one IFD per slice, the first carrying the
 * {@link ImageJMetadata} description and every one the x/y resolution as exact rationals; above
 * 4 GiB one IFD followed by every slice, as ImageJ writes such stacks. Fiji opens the result as
 * a calibrated z-stack and baseline TIFF readers read every page. Reading shares nothing with
 * this but the tag numbers, so the two are separate classes.
 */
final class TiffWriter {
  /** The classic TIFF limit: offsets are 32-bit. */
  static final long MAX_CLASSIC_SIZE = 0xffffffffL;

  private TiffWriter() {}

  static void write(Volume volume, Path path) {
    write(volume, path, false);
  }

  /**
   * Writes a TIFF; {@code oneIfd} forces the layout used above 4 GiB (tests use it on small
   * volumes).
   */
  static void write(Volume volume, Path path, boolean oneIfd) {
    long w = volume.width();
    long h = volume.height();
    long d = volume.depth();
    SampleKind kind = SampleKind.forWriting(volume.image());
    long pageBytes = w * h * kind.bytes;
    long dataBytes = pageBytes * d;
    if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE || pageBytes > Integer.MAX_VALUE) {
      throw new InvalidInputException("cannot write " + path + " as a TIFF: slices of " + w + "x"
          + h + " " + kind.describe() + " voxels exceed 2 GiB; write a .v3draw file instead");
    }
    // IFDs: 2 + 15 entries * 12 + 4, plus 16 bytes of resolution rationals, each, plus text
    long estimate = 8 + dataBytes + 1 + d * (2 + 15 * 12 + 4 + 16) + 4096;
    // above 4 GiB, as ImageJ does: one IFD, all slices contiguous after it (Fiji reads it whole)
    boolean single = oneIfd || estimate > MAX_CLASSIC_SIZE;
    AtomicWrite.write(path, temp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
        if (single) {
          writeOneIfd(out, volume, kind);
        } else {
          writeTo(out, volume, kind);
        }
      }
    });
  }

  private static void writeTo(OutputStream out, Volume volume, SampleKind kind)
      throws IOException {
    int w = (int) volume.width();
    int h = (int) volume.height();
    int d = (int) volume.depth();
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    long pageBytes = (long) w * h * kind.bytes;
    ByteBuffer header = ByteBuffer.allocate(8).order(order);
    header.put((byte) 'I').put((byte) 'I').putShort((short) 42);
    long dataStart = 8;
    long ifdStart = dataStart + pageBytes * d;
    long pad = ifdStart % 2; // IFDs start on a word boundary
    ifdStart += pad;
    header.putInt((int) ifdStart);
    out.write(header.array());

    // pixel data of all slices, contiguous (ImageJ reads a stack this way)
    RowSource rows = RowSource.writeAll(out, volume, kind, order);
    if (pad > 0) {
      out.write(0);
    }

    String description = ImageJMetadata.description(volume.voxelSize(), d, kind, rows.min(),
        rows.max());
    byte[] text = (description + "\0").getBytes(StandardCharsets.UTF_8);
    long at = ifdStart;
    for (int z = 0; z < d; z++) {
      byte[] ifd = ifd(volume, kind, at, z == 0 ? text : null, dataStart + z * pageBytes,
          z == d - 1, order);
      out.write(ifd);
      at += ifd.length;
    }
  }

  /** ImageJ's layout for stacks over 4 GiB: header, one IFD, then every slice contiguous. */
  private static void writeOneIfd(OutputStream out, Volume volume, SampleKind kind)
      throws IOException {
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    ByteBuffer header = ByteBuffer.allocate(8).order(order);
    header.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    out.write(header.array());
    // the display range would need a pass over the data first; ImageJ then uses the first slice's
    String description = ImageJMetadata.description(volume.voxelSize(), (int) volume.depth(), kind,
        Double.NaN, Double.NaN);
    byte[] text = (description + "\0").getBytes(StandardCharsets.UTF_8);
    long ifdLength = ifdLength(text);
    out.write(ifd(volume, kind, 8, text, 8 + ifdLength, true, order));
    RowSource.writeAll(out, volume, kind, order);
  }

  /** Bytes of an IFD with its out-of-line values (rationals, description), padded to even. */
  private static long ifdLength(byte @Nullable [] text) {
    int entries = text != null ? 15 : 14;
    long end = 2 + entries * 12L + 4 + 16 + (text != null ? text.length : 0);
    return end + end % 2;
  }

  /**
   * One IFD placed at {@code at}, describing one slice at {@code dataOffset}; the next IFD, if
   * any, follows directly.
   */
  private static byte[] ifd(Volume volume, SampleKind kind, long at, byte @Nullable [] text,
      long dataOffset, boolean last, ByteOrder order) {
    int w = (int) volume.width();
    int h = (int) volume.height();
    long pageBytes = (long) w * h * kind.bytes;
    long[] xr = rational(1 / volume.voxelSize().x());
    long[] yr = rational(1 / volume.voxelSize().y());
    int entries = text != null ? 15 : 14;
    long extra = at + 2 + entries * 12L + 4; // out-of-line values follow the IFD
    long xrAt = extra;
    long yrAt = extra + 8;
    long textAt = extra + 16;
    long length = ifdLength(text);
    ByteBuffer b = ByteBuffer.allocate((int) length).order(order);
    b.putShort((short) entries);
    entry(b, TiffStructure.NEW_SUBFILE_TYPE, 4, 1, 0);
    entry(b, TiffStructure.IMAGE_WIDTH, 4, 1, w);
    entry(b, TiffStructure.IMAGE_LENGTH, 4, 1, h);
    entry(b, TiffStructure.BITS_PER_SAMPLE, 3, 1, kind.bytes * 8L);
    entry(b, TiffStructure.COMPRESSION, 3, 1, 1);
    entry(b, TiffStructure.PHOTOMETRIC, 3, 1, 1); // black is zero
    if (text != null) {
      entry(b, TiffStructure.IMAGE_DESCRIPTION, 2, text.length, textAt);
    }
    entry(b, TiffStructure.STRIP_OFFSETS, 4, 1, dataOffset);
    entry(b, TiffStructure.SAMPLES_PER_PIXEL, 3, 1, 1);
    entry(b, TiffStructure.ROWS_PER_STRIP, 4, 1, h);
    entry(b, TiffStructure.STRIP_BYTE_COUNTS, 4, 1, pageBytes);
    entry(b, TiffStructure.X_RESOLUTION, 5, 1, xrAt);
    entry(b, TiffStructure.Y_RESOLUTION, 5, 1, yrAt);
    // ImageJ's convention: no TIFF unit; the real unit is in the description
    entry(b, TiffStructure.RESOLUTION_UNIT, 3, 1, 1);
    entry(b, TiffStructure.SAMPLE_FORMAT, 3, 1, kind == SampleKind.F32 ? 3 : 1);
    b.putInt(last ? 0 : (int) (at + length));
    b.putInt((int) xr[0]).putInt((int) xr[1]).putInt((int) yr[0]).putInt((int) yr[1]);
    if (text != null) {
      b.put(text);
    }
    return b.array();
  }

  private static void entry(ByteBuffer b, int tag, int fieldType, long count, long value) {
    b.putShort((short) tag).putShort((short) fieldType).putInt((int) count);
    if (fieldType == 3 && count == 1) {
      b.putShort((short) value).putShort((short) 0);
    } else {
      b.putInt((int) value);
    }
  }

  /**
   * The closest fraction {@code num/den} to {@code value} with both parts below 2^32 (continued
   * fraction convergents), so a voxel size survives the TIFF rational to ~1e-15 relative.
   */
  static long[] rational(double value) {
    final long limit = 0xffffffffL;
    if (!(value > 0) || Double.isInfinite(value)) {
      return new long[] {0, 1};
    }
    if (value >= limit) {
      return new long[] {limit, 1};
    }
    long p0 = 0;
    long q0 = 1;
    long p1 = 1;
    long q1 = 0;
    double x = value;
    for (int i = 0; i < 64; i++) {
      double a = Math.floor(x);
      if (a > limit) {
        break;
      }
      long ai = (long) a;
      long p2 = ai * p1 + p0;
      long q2 = ai * q1 + q0;
      if (p2 > limit || q2 > limit || p2 < 0 || q2 < 0) {
        break;
      }
      p0 = p1;
      q0 = q1;
      p1 = p2;
      q1 = q2;
      double frac = x - a;
      if (frac < 1e-18 || (double) p1 / q1 == value) {
        break;
      }
      x = 1 / frac;
    }
    if (p1 == 0 || q1 == 0) {
      // too small for 32-bit parts: the smallest representable fraction
      return new long[] {1, limit};
    }
    return new long[] {p1, q1};
  }
}
