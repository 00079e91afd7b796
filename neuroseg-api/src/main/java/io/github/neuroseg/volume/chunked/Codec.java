package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.InvalidInputException;

/**
 * How the chunks of a written store are compressed. The reader recognises these and more from
 * the store's metadata (see {@link ChunkedReader}); this type chooses what {@link ChunkedWriter}
 * writes.
 *
 * <ul>
 *   <li>{@link Raw}: no compression.
 *   <li>{@link Gzip}: gzip (RFC 1952) at a level 1 to 9, through the JDK's {@code Deflater}.
 *   <li>{@link Zstd}: Zstandard frames, from the pure-Java aircompressor library (its fixed
 *       level 3).
 *   <li>{@link Blosc}: a Blosc 1 container with an inner compressor (LZ4, Zstandard or zlib)
 *       and byte shuffle, bit shuffle or no shuffle; the format numcodecs and c-blosc read.
 * </ul>
 *
 * <p>Codecs are serializable, so that a {@link StagedStore} can travel to the processes that
 * write its chunks.
 */
public sealed interface Codec extends java.io.Serializable
    permits Codec.Raw, Codec.Gzip, Codec.Zstd, Codec.Blosc {

  /** No compression: a chunk file holds the voxel bytes. */
  record Raw() implements Codec {}

  /**
   * Gzip compression.
   *
   * @param level 1 (fastest) to 9 (smallest)
   */
  record Gzip(int level) implements Codec {
    public Gzip {
      if (level < 1 || level > 9) {
        throw new InvalidInputException("gzip level must be 1 .. 9, got " + level);
      }
    }
  }

  /** Zstandard compression (level 3). */
  record Zstd() implements Codec {}

  /**
   * Blosc: shuffling and an inner compressor, in c-blosc's version 1 container.
   *
   * @param compressor the inner compressor
   * @param shuffle which shuffle filter runs before it
   * @param level 1 to 9; zlib uses it as its level, LZ4 and Zstandard (from aircompressor, which
   *     has no levels) only record it in the metadata
   */
  record Blosc(BloscCompressor compressor, BloscShuffle shuffle, int level) implements Codec {
    public Blosc {
      if (level < 1 || level > 9) {
        throw new InvalidInputException("blosc level must be 1 .. 9, got " + level);
      }
    }
  }

  /** No compression. */
  static Codec raw() {
    return new Raw();
  }

  /** Gzip at {@code level} (1 .. 9). */
  static Codec gzip(int level) {
    return new Gzip(level);
  }

  /** Zstandard. */
  static Codec zstd() {
    return new Zstd();
  }

  /** Blosc with the given inner compressor and shuffle, level 5 (numcodecs' default level). */
  static Codec blosc(BloscCompressor compressor, BloscShuffle shuffle) {
    return new Blosc(compressor, shuffle, 5);
  }

  /** The inner compressors of Blosc that neuroseg writes (and reads, with Snappy). */
  enum BloscCompressor {
    /** LZ4 (fast; numcodecs' default). */
    LZ4("lz4", 1),
    /** Zstandard. */
    ZSTD("zstd", 4),
    /** zlib (Deflate with the zlib wrapper). */
    ZLIB("zlib", 3);

    final String cname;
    final int format;

    BloscCompressor(String cname, int format) {
      this.cname = cname;
      this.format = format;
    }
  }

  /** The shuffle filters of Blosc. */
  enum BloscShuffle {
    /** Bytes stay in place. */
    NONE,
    /** Byte shuffle: the i-th bytes of all elements are grouped together (numcodecs' default). */
    BYTE,
    /** Bit shuffle: the j-th bits of all elements are grouped together. */
    BIT
  }
}
