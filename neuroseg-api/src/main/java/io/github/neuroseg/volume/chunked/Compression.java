package io.github.neuroseg.volume.chunked;

import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import io.github.neuroseg.FormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

/**
 * The byte-to-byte stages of a chunk's codec chain: gzip and zlib (the JDK), Zstandard, LZ4 and
 * Snappy (aircompressor, pure Java), numcodecs' LZ4 framing, Blosc ({@link Blosc}) and Zarr
 * v3's CRC32C checksum. Every decoder produces exactly the expected number of bytes or throws a
 * {@link FormatException}; it never allocates more than that.
 */
final class Compression {
  private Compression() {}

  /** One stage: decodes to exactly {@code expected} bytes, or encodes. */
  interface Stage {
    /**
     * Decodes {@code in}, which must yield {@code expected} bytes.
     *
     * @throws FormatException naming {@code source} when it does not
     */
    byte[] decode(byte[] in, int expected, String source);

    /** Encodes {@code in}. */
    byte[] encode(byte[] in);

    /** How many bytes the stage adds when decoding is reversed (-1 when it varies). */
    default int fixedOverhead() {
      return -1;
    }
  }

  /** Gzip; decoding also accepts a zlib stream, which some N5 writers produce. */
  static Stage gzip(int level) {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        if (in.length >= 2 && (in[0] & 0xff) == 0x1f && (in[1] & 0xff) == 0x8b) {
          try {
            return readExactly(new GZIPInputStream(new ByteArrayInputStream(in), 8192),
                expected, source, "gzip");
          } catch (IOException e) {
            throw FormatException.of(source, "undecodable gzip data: " + e.getMessage(), e);
          }
        }
        return inflate(in, expected, source, "gzip");
      }

      @Override
      public byte[] encode(byte[] in) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(in.length / 2 + 64);
        try (GZIPOutputStream out = new LeveledGzip(bytes, level)) {
          out.write(in);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
      }
    };
  }

  /** zlib (RFC 1950). */
  static Stage zlib(int level) {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        return inflate(in, expected, source, "zlib");
      }

      @Override
      public byte[] encode(byte[] in) {
        return deflate(in, level);
      }
    };
  }

  /** Zstandard frames. */
  static Stage zstd() {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        return unzstd(in, 0, in.length, expected, source);
      }

      @Override
      public byte[] encode(byte[] in) {
        ZstdCompressor c = new ZstdCompressor();
        byte[] out = new byte[c.maxCompressedLength(in.length)];
        int n = c.compress(in, 0, in.length, out, 0, out.length);
        return java.util.Arrays.copyOf(out, n);
      }
    };
  }

  /** numcodecs' LZ4: a little-endian 32-bit uncompressed length, then one LZ4 block. */
  static Stage numcodecsLz4() {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        if (in.length < 4) {
          throw FormatException.atOffset(source, 0, "expected a 4-byte LZ4 length header, got "
              + in.length + " bytes");
        }
        int n = Blosc.le32(in, 0);
        if (n != expected) {
          throw FormatException.atOffset(source, 0, "expected " + expected
              + " uncompressed LZ4 bytes (the chunk size), the header says "
              + Integer.toUnsignedString(n));
        }
        byte[] out = new byte[expected];
        lz4(in, 4, in.length - 4, out, 0, expected, source, 4);
        return out;
      }

      @Override
      public byte[] encode(byte[] in) {
        Lz4Compressor c = new Lz4Compressor();
        byte[] out = new byte[4 + c.maxCompressedLength(in.length)];
        Blosc.putLe32(out, 0, in.length);
        int n = c.compress(in, 0, in.length, out, 4, out.length - 4);
        return java.util.Arrays.copyOf(out, 4 + n);
      }
    };
  }

  /** Blosc with the element size {@code typesize}; {@code write} chooses the encoding. */
  static Stage blosc(int typesize, Codec.Blosc write) {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        return Blosc.decode(in, expected, source);
      }

      @Override
      public byte[] encode(byte[] in) {
        return Blosc.encode(in, typesize, write);
      }
    };
  }

  /** Zarr v3's {@code crc32c}: the data followed by its little-endian CRC32C. */
  static Stage crc32c() {
    return new Stage() {
      @Override
      public byte[] decode(byte[] in, int expected, String source) {
        if (in.length != expected + 4L) {
          throw FormatException.of(source, "expected " + expected + " bytes and a 4-byte"
              + " CRC32C, got " + in.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(in, 0, expected);
        int stored = Blosc.le32(in, expected);
        if ((int) crc.getValue() != stored) {
          throw FormatException.atOffset(source, expected, "CRC32C checksum mismatch: stored "
              + Integer.toHexString(stored) + ", computed "
              + Long.toHexString(crc.getValue()));
        }
        return java.util.Arrays.copyOf(in, expected);
      }

      @Override
      public byte[] encode(byte[] in) {
        CRC32C crc = new CRC32C();
        crc.update(in);
        byte[] out = java.util.Arrays.copyOf(in, in.length + 4);
        Blosc.putLe32(out, in.length, (int) crc.getValue());
        return out;
      }

      @Override
      public int fixedOverhead() {
        return 4;
      }
    };
  }

  // ----- inner codecs of Blosc

  static void decompressBlosc(int format, byte[] in, int off, int len, byte[] out, int outOff,
      int expected, String source, long at) {
    switch (format) {
      case 1 -> lz4(in, off, len, out, outOff, expected, source, at);
      case 2 -> {
        int n;
        try {
          n = new SnappyDecompressor().decompress(in, off, len, out, outOff, expected);
        } catch (RuntimeException e) {
          throw FormatException.atOffset(source, at, "undecodable Snappy data in a Blosc block: "
              + e.getMessage(), e);
        }
        checkLength(n, expected, source, at, "Snappy");
      }
      case 3 -> {
        byte[] r = inflate(java.util.Arrays.copyOfRange(in, off, off + len), expected, source,
            "zlib (in a Blosc block)");
        System.arraycopy(r, 0, out, outOff, expected);
      }
      case 4 -> {
        byte[] r = unzstd(in, off, len, expected, source);
        System.arraycopy(r, 0, out, outOff, expected);
      }
      default -> throw FormatException.atOffset(source, at, "Blosc inner codec "
          + Blosc.formatName(format) + " is not supported");
    }
  }

  static int bloscBound(Codec.BloscCompressor c, int n) {
    return switch (c) {
      case LZ4 -> new Lz4Compressor().maxCompressedLength(n);
      case ZSTD -> new ZstdCompressor().maxCompressedLength(n);
      case ZLIB -> n + n / 1000 + 64 + (n >> 6);
    };
  }

  /** Compresses one Blosc stream into {@code out}; returns its length, 0 if it does not fit. */
  static int compressBlosc(Codec.Blosc codec, byte[] in, int off, int len, byte[] out,
      int outOff, int max) {
    return switch (codec.compressor()) {
      case LZ4 -> new Lz4Compressor().compress(in, off, len, out, outOff, max);
      case ZSTD -> new ZstdCompressor().compress(in, off, len, out, outOff, max);
      case ZLIB -> {
        byte[] z = deflate(java.util.Arrays.copyOfRange(in, off, off + len), codec.level());
        if (z.length > max) {
          yield 0;
        }
        System.arraycopy(z, 0, out, outOff, z.length);
        yield z.length;
      }
    };
  }

  // ----- helpers

  private static void lz4(byte[] in, int off, int len, byte[] out, int outOff, int expected,
      String source, long at) {
    int n;
    try {
      n = new Lz4Decompressor().decompress(in, off, len, out, outOff, expected);
    } catch (RuntimeException e) {
      throw FormatException.atOffset(source, at, "undecodable LZ4 data: " + e.getMessage(), e);
    }
    checkLength(n, expected, source, at, "LZ4");
  }

  private static byte[] unzstd(byte[] in, int off, int len, int expected, String source) {
    long declared;
    try {
      declared = ZstdDecompressor.getDecompressedSize(in, off, len);
    } catch (RuntimeException e) {
      throw FormatException.atOffset(source, off, "undecodable Zstandard frame header: "
          + e.getMessage(), e);
    }
    if (declared >= 0 && declared != expected) {
      throw FormatException.atOffset(source, off, "expected " + expected
          + " uncompressed bytes (the chunk size), the Zstandard frame says " + declared);
    }
    byte[] out = new byte[expected];
    int n;
    try {
      n = new ZstdDecompressor().decompress(in, off, len, out, 0, expected);
    } catch (RuntimeException e) {
      throw FormatException.atOffset(source, off, "undecodable Zstandard data: "
          + e.getMessage(), e);
    }
    checkLength(n, expected, source, off, "Zstandard");
    return out;
  }

  private static void checkLength(int n, int expected, String source, long at, String what) {
    if (n != expected) {
      throw FormatException.atOffset(source, at, "expected " + expected + " bytes from " + what
          + " data, got " + n);
    }
  }

  private static byte[] inflate(byte[] in, int expected, String source, String what) {
    Inflater inf = new Inflater();
    try {
      inf.setInput(in);
      byte[] out = new byte[expected];
      int n = 0;
      while (n < expected && !inf.finished()) {
        int k = inf.inflate(out, n, expected - n);
        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += k;
      }
      if (n < expected) {
        throw FormatException.of(source, "expected " + expected + " bytes from " + what
            + " data, got " + n + " (truncated or damaged)");
      }
      if (!inf.finished()) {
        byte[] one = new byte[1];
        if (inf.inflate(one) > 0) {
          throw FormatException.of(source, "expected " + expected + " bytes from " + what
              + " data, got more");
        }
      }
      return out;
    } catch (DataFormatException e) {
      throw FormatException.of(source, "undecodable " + what + " data: " + e.getMessage(), e);
    } finally {
      inf.end();
    }
  }

  private static byte[] readExactly(InputStream in, int expected, String source, String what)
      throws IOException {
    try (in) {
      byte[] out = new byte[expected];
      int n = in.readNBytes(out, 0, expected);
      if (n < expected) {
        throw FormatException.of(source, "expected " + expected + " bytes from " + what
            + " data, got " + n + " (truncated)");
      }
      if (in.read() != -1) {
        throw FormatException.of(source, "expected " + expected + " bytes from " + what
            + " data, got more");
      }
      return out;
    } catch (java.io.EOFException | java.util.zip.ZipException e) {
      throw FormatException.of(source, "undecodable " + what + " data: " + e.getMessage(), e);
    }
  }

  private static byte[] deflate(byte[] in, int level) {
    Deflater d = new Deflater(level);
    try {
      d.setInput(in);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 2 + 64);
      byte[] buf = new byte[65536];
      while (!d.finished()) {
        int k = d.deflate(buf);
        out.write(buf, 0, k);
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(ByteArrayOutputStream out, int level) throws IOException {
      super(out, 65536);
      def.setLevel(level);
    }
  }

}
