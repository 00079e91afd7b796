package io.github.neuroseg.volume;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** TIFF and v3draw files built byte by byte, for headers that no writer would produce. */
final class CraftedFiles {
  private CraftedFiles() {}

  /** One IFD entry; {@code values} are SHORTs (type 3) or LONGs (type 4). */
  record Entry(int tag, int type, long[] values) {
    static Entry of(int tag, long... values) {
      return new Entry(tag, values.length == 1 && values[0] <= 0xffff ? 3 : 4, values);
    }
  }

  /**
   * A classic little-endian TIFF: the header, {@code data} at byte 8, then the IFDs, each
   * followed by its values that do not fit in an entry. Entries with a {@code sharedValuesAt}
   * offset other than 0 point there instead of storing their values.
   */
  static byte[] tiff(byte[] data, List<List<Entry>> ifds, long sharedValuesAt) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8 + data.length);
    out.writeBytes(head.array());
    out.writeBytes(data);
    long at = 8L + data.length;
    for (int k = 0; k < ifds.size(); k++) {
      List<Entry> entries = ifds.get(k);
      int n = entries.size();
      long valuesAt = at + 2 + 12L * n + 4;
      ByteBuffer ifd = ByteBuffer.allocate(2 + 12 * n + 4).order(ByteOrder.LITTLE_ENDIAN);
      ByteArrayOutputStream values = new ByteArrayOutputStream();
      ifd.putShort((short) n);
      for (Entry e : entries) {
        int unit = e.type() == 3 ? 2 : 4;
        ifd.putShort((short) e.tag()).putShort((short) e.type()).putInt(e.values().length);
        ByteBuffer v = ByteBuffer.allocate(Math.max(4, unit * e.values().length))
            .order(ByteOrder.LITTLE_ENDIAN);
        for (long x : e.values()) {
          if (unit == 2) {
            v.putShort((short) x);
          } else {
            v.putInt((int) x);
          }
        }
        if (unit * e.values().length <= 4) {
          ifd.put(v.array(), 0, 4);
        } else if (sharedValuesAt != 0) {
          ifd.putInt((int) sharedValuesAt);
        } else {
          ifd.putInt((int) (valuesAt + values.size()));
          values.writeBytes(v.array());
        }
      }
      long next = k + 1 < ifds.size() ? valuesAt + values.size() : 0;
      ifd.putInt((int) next);
      out.writeBytes(ifd.array());
      out.writeBytes(values.toByteArray());
      at = next;
    }
    return out.toByteArray();
  }

  /** The entries of an 8-bit grey page of one strip at {@code offset}. */
  static List<Entry> page(int width, int height, int compression, long offset, long bytes) {
    List<Entry> e = new ArrayList<>();
    e.add(Entry.of(TiffStructure.IMAGE_WIDTH, width));
    e.add(Entry.of(TiffStructure.IMAGE_LENGTH, height));
    e.add(Entry.of(TiffStructure.BITS_PER_SAMPLE, 8));
    e.add(Entry.of(TiffStructure.COMPRESSION, compression));
    e.add(Entry.of(TiffStructure.PHOTOMETRIC, 1));
    e.add(Entry.of(TiffStructure.STRIP_OFFSETS, offset));
    e.add(Entry.of(TiffStructure.ROWS_PER_STRIP, height));
    e.add(Entry.of(TiffStructure.STRIP_BYTE_COUNTS, bytes));
    return e;
  }

  /** A v3draw header (4-byte sizes, little-endian) followed by {@code data}. */
  static byte[] v3draw(int sampleCode, long[] sizes, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(43 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(V3draw.MAGIC.getBytes(StandardCharsets.US_ASCII)).put((byte) 'L');
    b.putShort((short) sampleCode);
    for (long s : sizes) {
      b.putInt((int) s);
    }
    b.put(data);
    return b.array();
  }
}
