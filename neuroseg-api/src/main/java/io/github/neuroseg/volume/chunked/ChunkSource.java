package io.github.neuroseg.volume.chunked;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.volume.chunked.Compression.Stage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads and decodes the chunks of a {@link StoreArray}: one file per chunk (Zarr v2, v3, N5
 * with its block header) or an inner chunk of a Zarr v3 shard (through the shard's index, read
 * once per shard and kept in a small cache). Sizes claimed by headers and indexes are checked
 * against the file and the array before anything is allocated.
 */
final class ChunkSource {
  /** Largest chunk file or decoded chunk: a Java array. */
  static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 16;
  private static final int SHARD_INDEX_CACHE = 64;
  private static final long MISSING = -1L;

  /**
   * A decoded chunk.
   *
   * @param data the elements, in the chunk's order, byte order set
   * @param dims the chunk's size per dimension (C order); N5 edge blocks may be smaller than the
   *     block size
   */
  record Decoded(ByteBuffer data, int[] dims) {}

  private final StoreArray array;
  private final Map<Long, long[]> shardIndexes = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
      return size() > SHARD_INDEX_CACHE;
    }
  };

  ChunkSource(StoreArray array) {
    this.array = array;
    long bytes = array.dataType().bytes;
    for (int c : array.readChunk()) {
      bytes *= c;
    }
    if (bytes > MAX_CHUNK_BYTES) {
      throw FormatException.of(array.metadataFile().toString(), "chunks of " + bytes
          + " bytes are larger than the 2 GiB a chunk may have");
    }
  }

  /** The chunk at {@code index} (read-chunk grid, C order), or null when it is not stored. */
  @Nullable Decoded read(long[] index) {
    return switch (array.format()) {
      case N5 -> readN5(index);
      case OME_ZARR_0_4, OME_ZARR_0_5 -> array.sharding() == null ? readZarr(index)
          : readSharded(index);
    };
  }

  private int chunkBytes(int[] dims) {
    long n = array.dataType().bytes;
    for (int d : dims) {
      n *= d;
    }
    return (int) n;
  }

  private @Nullable Decoded readZarr(long[] index) {
    Path file = array.dir().resolve(array.keys().key(index));
    byte[] raw = readFile(file);
    if (raw == null) {
      return null;
    }
    int[] dims = array.chunks();
    byte[] data = decode(raw, array.stages(), chunkBytes(dims), file.toString());
    return new Decoded(ByteBuffer.wrap(data).order(array.byteOrder()), dims);
  }

  private @Nullable Decoded readN5(long[] index) {
    Path file = array.dir().resolve(array.keys().key(index));
    byte[] raw = readFile(file);
    if (raw == null) {
      return null;
    }
    String src = file.toString();
    int n = array.rank();
    ByteBuffer h = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
    if (raw.length < 4) {
      throw FormatException.atOffset(src, 0, "expected an N5 block header, got " + raw.length
          + " bytes");
    }
    int mode = h.getShort(0) & 0xffff;
    int ndim = h.getShort(2) & 0xffff;
    if (mode != 0 && mode != 1) {
      throw FormatException.atOffset(src, 0, "expected N5 block mode 0 (default) or 1"
          + " (varlength), got " + mode);
    }
    if (ndim != n) {
      throw FormatException.atOffset(src, 2, "expected an N5 block of " + n
          + " dimensions, the header says " + ndim);
    }
    int headerBytes = 4 + 4 * n + (mode == 1 ? 4 : 0);
    if (raw.length < headerBytes) {
      throw FormatException.atOffset(src, 4, "N5 block header of " + headerBytes
          + " bytes runs past the file's " + raw.length + " bytes");
    }
    int[] dims = new int[n];
    long elems = 1;
    for (int i = 0; i < n; i++) {
      long d = h.getInt(4 + 4 * i) & 0xffffffffL;
      int c = n - 1 - i; // N5 lists the fastest dimension first
      long cellEnd = Math.min(array.chunks()[c], array.shape()[c] - index[c] * array.chunks()[c]);
      if (d < cellEnd || d > array.chunks()[c]) {
        throw FormatException.atOffset(src, 4 + 4L * i, "expected N5 block size " + cellEnd
            + (cellEnd < array.chunks()[c] ? " .. " + array.chunks()[c] : "")
            + " along dimension " + i + ", the header says " + d);
      }
      dims[c] = (int) d;
      elems *= d;
    }
    if (mode == 1) {
      long count = h.getInt(4 + 4 * n) & 0xffffffffL;
      if (count != elems) {
        throw FormatException.atOffset(src, 4 + 4L * n, "varlength N5 blocks are not"
            + " supported (" + count + " elements for a block of " + elems + ")");
      }
    }
    byte[] payload = java.util.Arrays.copyOfRange(raw, headerBytes, raw.length);
    byte[] data = decode(payload, array.stages(), chunkBytes(dims), src);
    return new Decoded(ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN), dims);
  }

  private @Nullable Decoded readSharded(long[] index) {
    StoreArray.Sharding sh = array.sharding();
    int n = array.rank();
    long[] shard = new long[n];
    long inner = 0;
    for (int d = 0; d < n; d++) {
      int per = array.chunks()[d] / sh.inner()[d];
      shard[d] = index[d] / per;
      inner = inner * per + index[d] % per;
    }
    Path file = array.dir().resolve(array.keys().key(shard));
    String src = file.toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long[] idx = shardIndex(shard, ch, size, src);
      if (idx == null) {
        return null;
      }
      long off = idx[(int) (2 * inner)];
      long len = idx[(int) (2 * inner + 1)];
      if (off == MISSING && len == MISSING) {
        return null;
      }
      if (off < 0 || len < 0 || off + len > size || len > MAX_CHUNK_BYTES) {
        throw FormatException.of(src, "shard index entry " + inner + " (offset " + off
            + ", length " + len + ") lies outside the " + size + "-byte shard");
      }
      byte[] raw = new byte[(int) len];
      readFully(ch, ByteBuffer.wrap(raw), off, src);
      int[] dims = sh.inner();
      byte[] data = decode(raw, sh.stages(), chunkBytes(dims), src + " (inner chunk " + inner
          + ")");
      return new Decoded(ByteBuffer.wrap(data).order(sh.innerOrder()), dims);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw IoErrors.cannotRead(file, e);
    }
  }

  private long @Nullable [] shardIndex(long[] shard, FileChannel ch, long size, String src)
      throws IOException {
    long key = 0;
    for (int d = 0; d < shard.length; d++) {
      long grid = (array.shape()[d] + array.chunks()[d] - 1) / array.chunks()[d];
      key = key * grid + shard[d];
    }
    synchronized (shardIndexes) {
      long[] cached = shardIndexes.get(key);
      if (cached != null) {
        return cached;
      }
    }
    StoreArray.Sharding sh = array.sharding();
    long count = 1;
    for (int d = 0; d < array.rank(); d++) {
      count *= array.chunks()[d] / sh.inner()[d];
    }
    long indexBytes = 16 * count;
    long stored = indexBytes;
    for (Stage s : sh.indexStages()) {
      int extra = s.fixedOverhead();
      if (extra < 0) {
        throw FormatException.of(src, "shard index codecs other than bytes and crc32c are"
            + " not supported");
      }
      stored += extra;
    }
    if (stored > size || stored > MAX_CHUNK_BYTES) {
      throw FormatException.of(src, "shard index of " + stored + " bytes does not fit the "
          + size + "-byte shard");
    }
    byte[] raw = new byte[(int) stored];
    readFully(ch, ByteBuffer.wrap(raw), sh.indexAtEnd() ? size - stored : 0, src);
    byte[] data = decode(raw, sh.indexStages(), (int) indexBytes, src + " (shard index)");
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long[] idx = new long[(int) (2 * count)];
    b.asLongBuffer().get(idx);
    synchronized (shardIndexes) {
      shardIndexes.put(key, idx);
    }
    return idx;
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long pos, String src)
      throws IOException {
    long p = pos;
    while (dst.hasRemaining()) {
      int k = ch.read(dst, p);
      if (k < 0) {
        throw FormatException.atOffset(src, p, "file ends early");
      }
      p += k;
    }
  }

  private static byte @Nullable [] readFile(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_CHUNK_BYTES) {
        throw FormatException.of(file.toString(), "chunk file of " + size
            + " bytes is larger than the 2 GiB a chunk may have");
      }
      byte[] b = new byte[(int) size];
      readFully(ch, ByteBuffer.wrap(b), 0, file.toString());
      return b;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      if (java.nio.file.Files.isDirectory(file)) {
        throw FormatException.of(file.toString(), "expected a chunk file, got a directory");
      }
      throw IoErrors.cannotRead(file, e);
    }
  }

  /** Runs the stages backwards; the first (innermost) stage yields {@code expected} bytes. */
  static byte[] decode(byte[] raw, List<Stage> stages, int expected, String src) {
    byte[] b = raw;
    for (int i = stages.size() - 1; i >= 0; i--) {
      Stage s = stages.get(i);
      int want;
      if (i == 0) {
        want = expected;
      } else if (s.fixedOverhead() >= 0) {
        want = b.length - s.fixedOverhead();
        if (want < 0) {
          throw FormatException.of(src, "expected at least " + s.fixedOverhead()
              + " bytes, got " + b.length);
        }
      } else {
        throw FormatException.of(src, "a chain of several compressors is not supported");
      }
      b = s.decode(b, want, src);
    }
    if (b.length != expected) {
      throw FormatException.of(src, "expected a chunk of " + expected + " bytes, got "
          + b.length + " bytes");
    }
    return b;
  }
}
