package io.github.neuroseg.volume;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decoders for the compression schemes of TIFF strips that microscopy stacks use: LZW (TIFF 6
 * bit order), Deflate (zlib) and PackBits. Each fills {@code out} completely or reports how far
 * it got; malformed input raises {@link CorruptDataException} with a description.
 */
final class StripCodecs {
  private StripCodecs() {}

  /** Malformed compressed data; the caller adds file and offset. */
  static final class CorruptDataException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptDataException(String message) {
      super(message);
    }
  }

  /** Whether an LZW strip uses the pre-TIFF-6 bit order (its first code written LSB first). */
  static boolean isOldStyleLzw(byte[] in) {
    return in.length >= 2 && in[0] == 0 && (in[1] & 1) == 1;
  }

  /** The string table of the LZW decoder, reusable from strip to strip (entries 0..255 fixed). */
  static final class LzwTable {
    final short[] prefix = new short[4096];
    final byte[] suffix = new byte[4096];
    final byte[] first = new byte[4096];
    final int[] length = new int[4096];

    LzwTable() {
      for (int i = 0; i < 256; i++) {
        suffix[i] = (byte) i;
        first[i] = (byte) i;
        length[i] = 1;
        prefix[i] = -1;
      }
    }
  }

  /**
   * TIFF LZW: 9 to 12-bit codes, most significant bit first, clear code 256, end code 257, the
   * code width growing one code early (at 511, 1023, 2047).
   *
   * @return bytes written to {@code out}
   */
  static int lzw(byte[] in, byte[] out, LzwTable table) throws CorruptDataException {
    final int clear = 256;
    final int end = 257;
    short[] prefix = table.prefix;
    byte[] suffix = table.suffix;
    byte[] first = table.first;
    int[] length = table.length;
    int next = 258;
    int width = 9;
    long bitBuffer = 0;
    int bits = 0;
    int inPos = 0;
    int outPos = 0;
    int old = -1;
    while (outPos < out.length) {
      while (bits < width && inPos < in.length) {
        bitBuffer = (bitBuffer << 8) | (in[inPos++] & 0xff);
        bits += 8;
      }
      if (bits < width) {
        break; // input exhausted without an end code: tolerated, as other readers do
      }
      int code = (int) ((bitBuffer >>> (bits - width)) & ((1 << width) - 1));
      bits -= width;
      if (code == end) {
        break;
      }
      if (code == clear) {
        next = 258;
        width = 9;
        old = -1;
        continue;
      }
      int emit;
      byte firstByte;
      if (code < next && (code < 256 || code >= 258)) {
        emit = code;
        firstByte = first[code];
      } else if (code == next && old >= 0) {
        emit = -1; // the code being defined: old's string plus its own first byte
        firstByte = first[old];
      } else {
        throw new CorruptDataException("LZW code " + code + " is not defined (next free code "
            + next + ")");
      }
      if (old >= 0 && next < 4096) {
        prefix[next] = (short) old;
        suffix[next] = firstByte;
        first[next] = first[old];
        length[next] = length[old] + 1;
        next++;
      }
      if (emit < 0) {
        emit = next - 1;
        if (old < 0 || emit < 258) {
          throw new CorruptDataException("LZW code " + code + " refers to itself at the start");
        }
      }
      outPos = write(emit, prefix, suffix, length, out, outPos);
      old = code;
      if (next == 511) {
        width = 10;
      } else if (next == 1023) {
        width = 11;
      } else if (next == 2047) {
        width = 12;
      }
    }
    return outPos;
  }

  private static int write(int code, short[] prefix, byte[] suffix, int[] length, byte[] out,
      int outPos) {
    int n = length[code];
    int end = outPos + n;
    int c = code;
    for (int i = end - 1; i >= outPos; i--) {
      if (i < out.length) {
        out[i] = suffix[c];
      }
      c = prefix[c];
    }
    return Math.min(end, out.length);
  }

  /**
   * Deflate (zlib stream, TIFF compression 8 and 32946).
   *
   * @return bytes written to {@code out}
   */
  static int deflate(byte[] in, byte[] out) throws CorruptDataException {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(in);
      int n = 0;
      while (n < out.length && !inflater.finished()) {
        int r = inflater.inflate(out, n, out.length - n);
        if (r == 0) {
          break; // needs more input or a dictionary: the strip ends early
        }
        n += r;
      }
      return n;
    } catch (DataFormatException e) {
      throw new CorruptDataException("Deflate data is malformed: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  /**
   * PackBits run-length coding.
   *
   * @return bytes written to {@code out}
   */
  static int packBits(byte[] in, byte[] out) {
    int i = 0;
    int o = 0;
    while (i < in.length && o < out.length) {
      int n = in[i++];
      if (n >= 0) {
        int count = Math.min(n + 1, Math.min(in.length - i, out.length - o));
        System.arraycopy(in, i, out, o, count);
        i += n + 1;
        o += count;
      } else if (n != -128 && i < in.length) {
        int count = Math.min(1 - n, out.length - o);
        java.util.Arrays.fill(out, o, o + count, in[i++]);
        o += count;
      }
    }
    return o;
  }
}
