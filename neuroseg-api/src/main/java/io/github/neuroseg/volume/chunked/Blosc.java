package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.volume.chunked.Codec.BloscShuffle;

/**
 * The Blosc 1 container (c-blosc's format 2, which numcodecs writes), on top of the inner
 * compressors of {@link Compression}.
 *
 * <p>Layout: a 16-byte header (format version, inner-codec version, flags, type size, then
 * little-endian 32-bit uncompressed size, block size and compressed size); unless the buffer is
 * stored as it is (flag {@code 0x02}), one 32-bit offset per block, and each block as one stream
 * (flag {@code 0x10}, or a last, shorter block, or few elements) or one stream per byte of the
 * type, each stream a 32-bit compressed length and its bytes (a length equal to the stream's
 * uncompressed length means stored). Flags {@code 0x01} and {@code 0x04} ask for byte or bit
 * shuffle of each block, the inner codec is flags bits 5 to 7 (0 BloscLZ, 1 LZ4, 2 Snappy, 3
 * zlib, 4 Zstandard). Bit shuffle applies only to blocks whose element count is a multiple of 8
 * (others are stored unshuffled, as c-blosc does); bytes past the last whole element stay in
 * place.
 *
 * <p>The writer stores each block as one stream (flag {@code 0x10}), in blocks of at most 256 KiB,
 * and the whole buffer unmodified when compression does not help.
 */
final class Blosc {
  static final int HEADER = 16;
  private static final int MAX_SPLITS = 16;
  private static final int MIN_BUFFERSIZE = 128;
  private static final int WRITE_BLOCK = 256 * 1024;
  private static final int FLAG_SHUFFLE = 0x01;
  private static final int FLAG_MEMCPYED = 0x02;
  private static final int FLAG_BITSHUFFLE = 0x04;
  private static final int FLAG_DONT_SPLIT = 0x10;

  private Blosc() {}

  /** The inner codec's name for a Blosc format code, for messages. */
  static String formatName(int format) {
    return switch (format) {
      case 0 -> "blosclz";
      case 1 -> "lz4";
      case 2 -> "snappy";
      case 3 -> "zlib";
      case 4 -> "zstd";
      default -> "unknown inner codec " + format;
    };
  }

  /** Decodes a Blosc buffer that must hold exactly {@code expected} bytes. */
  static byte[] decode(byte[] in, int expected, String source) {
    if (in.length < HEADER) {
      throw FormatException.atOffset(source, 0, "expected a Blosc header of 16 bytes, got "
          + in.length + " bytes");
    }
    int flags = in[2] & 0xff;
    int typesize = in[3] & 0xff;
    int nbytes = le32(in, 4);
    int blocksize = le32(in, 8);
    int cbytes = le32(in, 12);
    if (nbytes != expected) {
      throw FormatException.atOffset(source, 4, "expected a Blosc buffer of " + expected
          + " uncompressed bytes (the chunk size), the header says " + Integer.toUnsignedString(
          nbytes));
    }
    if (cbytes < HEADER || cbytes > in.length) {
      throw FormatException.atOffset(source, 12, "Blosc header claims " + Integer
          .toUnsignedString(cbytes) + " compressed bytes, the data has " + in.length);
    }
    if ((flags & FLAG_SHUFFLE) != 0 && (flags & FLAG_BITSHUFFLE) != 0) {
      throw FormatException.atOffset(source, 2, "Blosc flags " + flags + " ask for both byte"
          + " and bit shuffle (a Blosc2 extended header?); only Blosc 1 buffers are supported");
    }
    byte[] out = new byte[expected];
    if ((flags & FLAG_MEMCPYED) != 0) {
      if (cbytes - HEADER != expected) {
        throw FormatException.atOffset(source, 12, "stored Blosc buffer should have "
            + (expected + HEADER) + " bytes, header says " + cbytes);
      }
      System.arraycopy(in, HEADER, out, 0, expected);
      return out;
    }
    if (expected == 0) {
      return out;
    }
    if (typesize == 0) {
      throw FormatException.atOffset(source, 3, "Blosc type size must be >= 1, got 0");
    }
    if (blocksize <= 0 || blocksize > expected) {
      throw FormatException.atOffset(source, 8, "Blosc block size must be 1 .. " + expected
          + ", got " + Integer.toUnsignedString(blocksize));
    }
    int format = (flags >> 5) & 0x7;
    if (format != 1 && format != 2 && format != 3 && format != 4) {
      throw FormatException.atOffset(source, 2, "Blosc inner codec " + formatName(format)
          + " is not supported (supported: lz4, lz4hc, snappy, zlib, zstd)");
    }
    boolean dontSplit = (flags & FLAG_DONT_SPLIT) != 0;
    int nblocks = expected / blocksize + (expected % blocksize > 0 ? 1 : 0);
    int leftover = expected % blocksize;
    long dataStart = HEADER + 4L * nblocks;
    if (dataStart > cbytes) {
      throw FormatException.atOffset(source, HEADER, "Blosc block table of " + nblocks
          + " entries runs past the " + cbytes + " compressed bytes");
    }
    boolean shuffled = ((flags & FLAG_SHUFFLE) != 0 && typesize > 1)
        || (flags & FLAG_BITSHUFFLE) != 0;
    byte[] tmp = shuffled ? new byte[blocksize] : null;
    for (int j = 0; j < nblocks; j++) {
      boolean leftoverBlock = j == nblocks - 1 && leftover > 0;
      int bsize = leftoverBlock ? leftover : blocksize;
      int start = le32(in, HEADER + 4 * j);
      if (start < dataStart || start >= cbytes) {
        throw FormatException.atOffset(source, HEADER + 4L * j, "Blosc block " + j
            + " starts at " + start + ", outside the data " + dataStart + " .. " + cbytes);
      }
      int nsplits = !dontSplit && typesize <= MAX_SPLITS && bsize / typesize >= MIN_BUFFERSIZE
          && !leftoverBlock ? typesize : 1;
      int neblock = bsize / nsplits;
      byte[] dest = shuffled ? tmp : out;
      int destOff = shuffled ? 0 : j * blocksize;
      int pos = start;
      for (int s = 0; s < nsplits; s++) {
        if (pos + 4L > cbytes) {
          throw FormatException.atOffset(source, pos, "Blosc stream length runs past the "
              + cbytes + " compressed bytes");
        }
        int csize = le32(in, pos);
        pos += 4;
        if (csize < 0 || pos + (long) csize > cbytes) {
          throw FormatException.atOffset(source, pos - 4, "Blosc stream of "
              + Integer.toUnsignedString(csize) + " bytes runs past the " + cbytes
              + " compressed bytes");
        }
        if (csize == neblock) {
          System.arraycopy(in, pos, dest, destOff, neblock);
        } else {
          Compression.decompressBlosc(format, in, pos, csize, dest, destOff, neblock, source,
              pos);
        }
        pos += csize;
        destOff += neblock;
      }
      if (shuffled) {
        if ((flags & FLAG_BITSHUFFLE) != 0) {
          bitUnshuffle(tmp, out, j * blocksize, bsize, typesize);
        } else {
          unshuffle(tmp, out, j * blocksize, bsize, typesize);
        }
      }
    }
    return out;
  }

  /** Encodes {@code in} with elements of {@code typesize} bytes. */
  static byte[] encode(byte[] in, int typesize, Codec.Blosc codec) {
    int n = in.length;
    int ts = Math.max(1, Math.min(255, typesize));
    int blocksize = Math.min(n, WRITE_BLOCK);
    if (blocksize > ts) {
      blocksize = blocksize / ts * ts;
    }
    blocksize = Math.max(1, blocksize);
    int nblocks = n == 0 ? 0 : n / blocksize + (n % blocksize > 0 ? 1 : 0);
    int flags = FLAG_DONT_SPLIT | (codec.compressor().format << 5);
    BloscShuffle shuffle = codec.shuffle();
    if (shuffle == BloscShuffle.BYTE && ts > 1) {
      flags |= FLAG_SHUFFLE;
    } else if (shuffle == BloscShuffle.BIT) {
      flags |= FLAG_BITSHUFFLE;
    }
    int bound = HEADER + 4 * nblocks + nblocks * (4 + Compression.bloscBound(
        codec.compressor(), blocksize));
    byte[] out = new byte[bound];
    int pos = HEADER + 4 * nblocks;
    byte[] tmp = new byte[blocksize];
    boolean fits = true;
    for (int j = 0; j < nblocks && fits; j++) {
      int off = j * blocksize;
      int bsize = Math.min(blocksize, n - off);
      byte[] src = in;
      int srcOff = off;
      if ((flags & FLAG_SHUFFLE) != 0) {
        shuffle(in, off, bsize, ts, tmp);
        src = tmp;
        srcOff = 0;
      } else if ((flags & FLAG_BITSHUFFLE) != 0) {
        bitShuffle(in, off, bsize, ts, tmp);
        src = tmp;
        srcOff = 0;
      }
      putLe32(out, HEADER + 4 * j, pos);
      int csize = Compression.compressBlosc(codec, src, srcOff, bsize, out, pos + 4,
          out.length - pos - 4);
      if (csize <= 0 || csize >= bsize) {
        System.arraycopy(src, srcOff, out, pos + 4, bsize);
        csize = bsize;
      }
      putLe32(out, pos, csize);
      pos += 4 + csize;
      if (pos > n + HEADER) {
        fits = false;
      }
    }
    byte[] result;
    if (!fits || nblocks == 0) {
      // incompressible: store the buffer as it is, as c-blosc does
      flags |= FLAG_MEMCPYED;
      result = new byte[HEADER + n];
      System.arraycopy(in, 0, result, HEADER, n);
      pos = HEADER + n;
    } else {
      result = java.util.Arrays.copyOf(out, pos);
    }
    result[0] = 2;
    result[1] = 1;
    result[2] = (byte) flags;
    result[3] = (byte) ts;
    putLe32(result, 4, n);
    putLe32(result, 8, blocksize);
    putLe32(result, 12, pos);
    return result;
  }

  static void shuffle(byte[] in, int off, int bsize, int ts, byte[] out) {
    int elems = bsize / ts;
    if (ts == 2) {
      for (int i = 0, p = off; i < elems; i++, p += 2) {
        out[i] = in[p];
        out[elems + i] = in[p + 1];
      }
    } else if (ts == 4) {
      for (int i = 0, p = off; i < elems; i++, p += 4) {
        out[i] = in[p];
        out[elems + i] = in[p + 1];
        out[2 * elems + i] = in[p + 2];
        out[3 * elems + i] = in[p + 3];
      }
    } else {
      for (int j = 0; j < ts; j++) {
        int row = j * elems;
        for (int i = 0, p = off + j; i < elems; i++, p += ts) {
          out[row + i] = in[p];
        }
      }
    }
    int done = elems * ts;
    System.arraycopy(in, off + done, out, done, bsize - done);
  }

  static void unshuffle(byte[] in, byte[] out, int off, int bsize, int ts) {
    int elems = bsize / ts;
    if (ts == 2) {
      for (int i = 0, p = off; i < elems; i++, p += 2) {
        out[p] = in[i];
        out[p + 1] = in[elems + i];
      }
    } else if (ts == 4) {
      for (int i = 0, p = off; i < elems; i++, p += 4) {
        out[p] = in[i];
        out[p + 1] = in[elems + i];
        out[p + 2] = in[2 * elems + i];
        out[p + 3] = in[3 * elems + i];
      }
    } else {
      for (int j = 0; j < ts; j++) {
        int row = j * elems;
        for (int i = 0, p = off + j; i < elems; i++, p += ts) {
          out[p] = in[row + i];
        }
      }
    }
    int done = elems * ts;
    System.arraycopy(in, done, out, off + done, bsize - done);
  }

  /**
   * Bit shuffle as c-blosc (after the bitshuffle library): with {@code e} elements (a multiple
   * of 8), bit {@code k} of byte {@code j} of element {@code i} goes to bit {@code i % 8} of byte
   * {@code (j * 8 + k) * e / 8 + i / 8}. Other element counts are copied unshuffled.
   */
  static void bitShuffle(byte[] in, int off, int bsize, int ts, byte[] out) {
    int elems = bsize / ts;
    if (elems % 8 != 0) {
      System.arraycopy(in, off, out, 0, bsize);
      return;
    }
    int rowBytes = elems / 8;
    for (int g = 0; g < rowBytes; g++) {
      for (int j = 0; j < ts; j++) {
        long x = 0;
        for (int b = 0; b < 8; b++) {
          x |= (in[off + (g * 8 + b) * ts + j] & 0xffL) << (8 * b);
        }
        x = transpose8(x);
        for (int k = 0; k < 8; k++) {
          out[(j * 8 + k) * rowBytes + g] = (byte) (x >>> (8 * k));
        }
      }
    }
    int done = elems * ts;
    System.arraycopy(in, off + done, out, done, bsize - done);
  }

  static void bitUnshuffle(byte[] in, byte[] out, int off, int bsize, int ts) {
    int elems = bsize / ts;
    if (elems % 8 != 0) {
      System.arraycopy(in, 0, out, off, bsize);
      return;
    }
    int rowBytes = elems / 8;
    for (int g = 0; g < rowBytes; g++) {
      for (int j = 0; j < ts; j++) {
        long x = 0;
        for (int k = 0; k < 8; k++) {
          x |= (in[(j * 8 + k) * rowBytes + g] & 0xffL) << (8 * k);
        }
        x = transpose8(x);
        for (int b = 0; b < 8; b++) {
          out[off + (g * 8 + b) * ts + j] = (byte) (x >>> (8 * b));
        }
      }
    }
    int done = elems * ts;
    System.arraycopy(in, done, out, off + done, bsize - done);
  }

  /** Transposes an 8 x 8 bit matrix held as 8 bytes (byte r, bit c becomes byte c, bit r). */
  static long transpose8(long x) {
    long t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
    x = x ^ t ^ (t << 7);
    t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
    x = x ^ t ^ (t << 14);
    t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
    return x ^ t ^ (t << 28);
  }

  static int le32(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  static void putLe32(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }
}
