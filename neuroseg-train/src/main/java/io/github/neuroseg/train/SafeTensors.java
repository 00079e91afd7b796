package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.model.FloatTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (relative to
 * the end of the header), an optional {@code __metadata__} string map, then the raw little-endian
 * tensor bytes. Reading accepts F32, F16, BF16 and F64 (and integer types), converted to float32,
 * tensor by tensor ({@link #index} reads only the header); writing uses F32.
 * Nothing in the file is executed.
 */
final class SafeTensors {
  private static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /**
   * The contents of a safetensors file.
   *
   * @param tensors tensors by name, in file order
   * @param metadata the {@code __metadata__} strings (empty when absent)
   */
  record Contents(Map<String, FloatTensor> tensors, Map<String, String> metadata) {
    /** Copies the maps, keeping their order. */
    Contents {
      tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  /**
   * One tensor of a file, not yet read.
   *
   * @param dtype the element type, e.g. {@code F32}
   * @param shape the shape
   * @param begin first byte, relative to the start of the data
   * @param end one past the last byte
   */
  record Entry(String dtype, long[] shape, long begin, long end) {
    /** The shape as ints. */
    int[] intShape() {
      int[] s = new int[shape.length];
      for (int k = 0; k < s.length; k++) {
        s[k] = Math.toIntExact(shape[k]);
      }
      return s;
    }
  }

  /**
   * The header of a file: where each tensor is, and the metadata.
   *
   * @param path the file
   * @param dataStart offset of the data in the file
   * @param entries tensors by name, in file order
   * @param metadata the {@code __metadata__} strings (empty when absent)
   */
  record Index(Path path, long dataStart, Map<String, Entry> entries,
      Map<String, String> metadata) {}

  /**
   * Reads a file.
   *
   * @throws FormatException when the file is not valid safetensors (the message says where)
   * @throws NeuroSegIOException when it cannot be read
   */
  static Contents read(Path path) {
    Index index = index(path);
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    index.entries().forEach((name, e) -> tensors.put(name, load(index, name)));
    return new Contents(tensors, index.metadata());
  }

  /**
   * Says what a file whose first 8 bytes are no safetensors header length is, when it is a
   * checkpoint of another kind: a torch.save zip archive, or a pickle (a legacy torch.save).
   */
  private static void notSafetensors(String src, byte[] head) {
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      throw FormatException.atOffset(src, 0, "this is a torch.save checkpoint (a zip archive,"
          + " .pth), not a safetensors file");
    }
    FormatException legacy = TorchCheckpoint.legacyError(src, head, head.length);
    if (legacy != null) {
      throw legacy;
    }
  }

  /**
   * Reads and checks the header of a file, not the tensors.
   *
   * @throws FormatException when the header is not valid safetensors (the message says where)
   * @throws NeuroSegIOException when it cannot be read
   */
  static Index index(Path path) {
    String src = path.toString();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw FormatException.of(src, "safetensors needs an 8-byte header length, file has "
            + size + " bytes");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > MAX_HEADER || 8 + n > size) {
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(64, size));
        readFully(ch, head, 0);
        notSafetensors(src, head.array());
        throw FormatException.atOffset(src, 0, "header length " + n + " does not fit a file of "
            + size + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8);
      String header = new String(hb.array(), StandardCharsets.UTF_8);
      Object parsed = Json.parse(header, src + " (header)");
      if (!(parsed instanceof Map<?, ?> root)) {
        throw FormatException.of(src, "the header must be a JSON object");
      }
      long dataStart = 8 + n;
      long dataLen = size - dataStart;
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : root.entrySet()) {
        String name = (String) e.getKey();
        if (name.equals("__metadata__")) {
          if (!(e.getValue() instanceof Map<?, ?> mm)) {
            throw FormatException.of(src, "__metadata__ must be an object of strings");
          }
          for (Map.Entry<?, ?> me : mm.entrySet()) {
            if (!(me.getValue() instanceof String sv)) {
              throw FormatException.of(src, "__metadata__ value of "
                  + Quote.quote(String.valueOf(me.getKey())) + " must be a string");
            }
            meta.put((String) me.getKey(), sv);
          }
          continue;
        }
        entries.put(name, entry(src, name, e.getValue(), dataLen));
      }
      return new Index(path, dataStart, java.util.Collections.unmodifiableMap(entries),
          java.util.Collections.unmodifiableMap(meta));
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
  }

  /**
   * The values of one tensor of an indexed file as float32.
   *
   * @throws FormatException when the name is not in the file
   * @throws NeuroSegIOException when it cannot be read
   */
  static FloatTensor load(Index index, String name) {
    Entry e = index.entries().get(name);
    if (e == null) {
      throw FormatException.of(index.path().toString(), "no tensor " + Quote.quote(name));
    }
    long count = 1;
    for (long d : e.shape()) {
      count *= d;
    }
    try (FileChannel ch = FileChannel.open(index.path(), StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate((int) (e.end() - e.begin()))
          .order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, b, index.dataStart() + e.begin());
      b.flip();
      return FloatTensor.of(e.shape(), Dtypes.decode(b, e.dtype(), (int) count));
    } catch (IOException ex) {
      throw IoErrors.cannotRead(index.path(), ex);
    }
  }

  private static Entry entry(String src, String name, Object info, long dataLen) {
    if (!(info instanceof Map<?, ?> m)) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " must be an object");
    }
    if (!(m.get("dtype") instanceof String dtype)) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " has no dtype");
    }
    if (!(m.get("shape") instanceof List<?> shapeList)
        || !(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2) {
      throw FormatException.of(src, "entry " + Quote.quote(name)
          + " needs shape and two data_offsets");
    }
    long[] shape = new long[shapeList.size()];
    for (int k = 0; k < shape.length; k++) {
      if (!(shapeList.get(k) instanceof Long l) || l < 0) {
        throw FormatException.of(src, "entry " + Quote.quote(name) + " has a bad shape "
            + shapeList);
      }
      if (l > Integer.MAX_VALUE) {
        throw FormatException.of(src, "entry " + Quote.quote(name) + " has the shape " + shapeList
            + "; sizes must be at most " + Integer.MAX_VALUE);
      }
      shape[k] = l;
    }
    // saturated: a product past 2^63 cannot match the offsets below
    long count = Checks.product(shape);
    if (!Dtypes.known(dtype)) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " has dtype "
          + Quote.quote(dtype) + "; supported are F32, F16, BF16, F64 and the integer types");
    }
    int width = Dtypes.width(dtype);
    if (!(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)
        || begin < 0 || end < begin || end > dataLen) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " has data_offsets " + offs
          + " outside the " + dataLen + " data bytes");
    }
    long bytes = Checks.product(count, width);
    if (end - begin != bytes) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " of shape " + shapeList
          + " and dtype " + dtype + " needs " + (bytes == Long.MAX_VALUE ? "more than 2^63" : bytes)
          + " bytes, its offsets span " + (end - begin));
    }
    if (bytes > Checks.MAX_ARRAY_LENGTH) {
      throw FormatException.of(src, "entry " + Quote.quote(name) + " is too large: " + count
          + " values of " + width + " bytes do not fit one array");
    }
    return new Entry(dtype, shape, begin, end);
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int r = ch.read(b, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += r;
    }
  }

  /**
   * Writes tensors as float32 with the metadata strings, atomically.
   *
   * @throws NeuroSegIOException when the file cannot be written
   */
  static void write(Path path, Map<String, FloatTensor> tensors,
      Map<String, String> metadata) {
    StringBuilder h = new StringBuilder("{");
    boolean first = true;
    if (!metadata.isEmpty()) {
      h.append("\"__metadata__\":{");
      boolean f2 = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        h.append(f2 ? "" : ",").append(Json.quote(e.getKey())).append(':')
            .append(Json.quote(e.getValue()));
        f2 = false;
      }
      h.append('}');
      first = false;
    }
    long offset = 0;
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      FloatTensor t = e.getValue();
      StringBuilder shape = new StringBuilder("[");
      for (int k = 0; k < t.shape().length; k++) {
        shape.append(k == 0 ? "" : ",").append(t.shape()[k]);
      }
      shape.append(']');
      long len = 4L * t.size();
      h.append(first ? "" : ",").append(Json.quote(e.getKey())).append(":{\"dtype\":\"F32\",")
          .append("\"shape\":").append(shape).append(",\"data_offsets\":[").append(offset)
          .append(',').append(offset + len).append("]}");
      first = false;
      offset += len;
    }
    h.append('}');
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    // pad the header with spaces so that the data starts 8-byte aligned, as the format suggests
    int pad = (8 - header.length % 8) % 8;
    AtomicWrite.write(path, temp -> {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(temp),
          1 << 16)) {
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        lb.putLong(header.length + pad);
        out.write(lb.array());
        out.write(header);
        for (int k = 0; k < pad; k++) {
          out.write(' ');
        }
        ByteBuffer fb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (FloatTensor t : tensors.values()) {
          for (float v : t.values()) {
            if (!fb.hasRemaining()) {
              out.write(fb.array(), 0, fb.position());
              fb.clear();
            }
            fb.putFloat(v);
          }
        }
        out.write(fb.array(), 0, fb.position());
      }
    });
  }
}
