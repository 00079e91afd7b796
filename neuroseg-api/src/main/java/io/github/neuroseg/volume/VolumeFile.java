package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.IoErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.RealType;
import org.jspecify.annotations.Nullable;

/**
 * A volume file open for reading: reads that are checked against the file's size and fail with a
 * {@link FormatException} naming the file, the offset and what was being read, so a truncated
 * file never reaches a decoder; file-system failures become a {@link
 * io.github.neuroseg.NeuroSegIOException} naming the file. The TIFF and v3draw readers both read
 * through it, and it gives their volumes the same name and metadata.
 */
final class VolumeFile {
  /** How many bytes one read of a slice's rows takes at most (64 MiB). */
  private static final int MAX_READ = 1 << 26;

  /** What is read from an open file. */
  @FunctionalInterface
  interface Reading<T> {
    T read(VolumeFile file) throws IOException;
  }

  final Path path;
  /** The file as messages name it. */
  final String source;
  final long size;
  private final FileChannel channel;

  private VolumeFile(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.source = path.toString();
    this.channel = channel;
    this.size = channel.size();
  }

  /**
   * Opens {@code path}, runs {@code reading} on it and closes it again.
   *
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be opened or read
   */
  static <T> T read(Path path, Reading<T> reading) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      return reading.read(new VolumeFile(path, ch));
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
  }

  /** Whether {@code length} bytes at {@code offset} lie inside the file (for any two longs). */
  boolean holds(long offset, long length) {
    return offset >= 0 && length >= 0 && length <= size - offset;
  }

  /**
   * The one bound on the voxel data a header claims, checked before anything is allocated:
   * {@code claimed} bytes (a product of header sizes, saturated by {@link Checks#product}) must
   * come from the {@code stored} bytes the file holds for them, expanded at most {@code
   * maxExpansion} times (1 for uncompressed data, the codec's limit for compressed data). Sizes
   * multiplied past the file's end, and many pages pointing at the same data, fail here.
   *
   * @param offset where the claim is made, for the message
   * @param what the data in the message, e.g. {@code "3 pages of 512 x 512 16-bit voxels"}
   * @throws FormatException naming the file, the offset and the sizes
   */
  void checkClaim(long offset, String what, long claimed, long stored, long maxExpansion) {
    long available = Math.min(Math.max(stored, 0), size);
    if (claimed > Checks.product(available, maxExpansion)) {
      throw FormatException.atOffset(source, offset, what + " need "
          + (claimed == Long.MAX_VALUE ? "more than 2^63" : Long.toString(claimed))
          + " bytes, but the file holds " + available + " bytes for them"
          + (maxExpansion > 1 ? ", which expand at most " + maxExpansion + " times" : "")
          + "; the size fields are corrupt or the file is truncated");
    }
  }

  /**
   * The arrays of a volume read from this file, after checking that they fit in the JVM's
   * heap (a request it could never satisfy fails at once, naming the file).
   *
   * @throws io.github.neuroseg.InvalidInputException when the voxels need more than the heap
   */
  PlanarImg<? extends RealType<?>, ?> allocate(int width, int height, int depth,
      SampleKind kind) {
    Checks.fitsHeap(source + ": " + width + " x " + height + " x " + depth + " "
        + kind.describe() + " voxels", Checks.product(width, height, depth, kind.bytes));
    return kind.createPlanar(width, height, depth);
  }

  /** Reads {@code length} bytes at {@code offset}, or fails naming what was being read. */
  ByteBuffer bytes(long offset, int length, String what) throws IOException {
    if (!holds(offset, length)) {
      throw FormatException.atOffset(source, offset, "cannot read " + what + " (" + length
          + " bytes): the file ends at byte " + size + "; it is truncated or corrupt");
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    long pos = offset;
    while (b.hasRemaining()) {
      int r = channel.read(b, pos);
      if (r < 0) {
        throw FormatException.atOffset(source, pos, "unexpected end of file while reading " + what);
      }
      pos += r;
    }
    return b.flip();
  }

  /**
   * Reads one slice stored as contiguous rows at {@code offset} into {@code plane}, in reads of
   * at most 64 MiB (so a 2 GiB slice needs no 2 GiB buffer besides its array).
   *
   * @param what names the slice in messages, e.g. {@code "slice 3"}
   */
  void readSlice(long offset, int width, int height, SampleKind kind, ByteOrder order,
      Object plane, String what) throws IOException {
    long rowBytes = (long) width * kind.bytes;
    int rowsPerRead = (int) Math.max(1, Math.min(height, MAX_READ / rowBytes));
    for (int row = 0; row < height; row += rowsPerRead) {
      int rows = Math.min(rowsPerRead, height - row);
      ByteBuffer b = bytes(offset + row * rowBytes, (int) (rows * rowBytes), what).order(order);
      kind.copy(b, plane, (long) row * width, rows * width);
    }
  }

  /** The volume's name: the file name without its format's extension. */
  @Nullable String volumeName() {
    Path file = path.getFileName();
    return file == null ? null : stripExtension(file.toString());
  }

  /** The metadata every read volume starts with: {@code source} and {@code format}. */
  Map<String, String> metadata(String format) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("source", path.toAbsolutePath().toString());
    meta.put("format", format);
    return meta;
  }

  static String stripExtension(String file) {
    String l = file.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".ome.tiff", ".ome.tif", ".tiff", ".tif", ".v3draw"}) {
      if (l.endsWith(ext)) {
        return file.substring(0, file.length() - ext.length());
      }
    }
    return file;
  }
}
