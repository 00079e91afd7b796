package io.github.neuroseg.volume;

import io.github.neuroseg.FormatException;
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

  /** Reads {@code length} bytes at {@code offset}, or fails naming what was being read. */
  ByteBuffer bytes(long offset, int length, String what) throws IOException {
    if (offset < 0 || offset + length > size) {
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
