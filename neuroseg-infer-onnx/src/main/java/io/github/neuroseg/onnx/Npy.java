package io.github.neuroseg.onnx;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Quote;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format for float32 arrays, as bioimage.io test tensors use it: version 1.0,
 * little-endian {@code '<f4'}, C order. The header is the magic {@code \x93NUMPY}, the version
 * bytes {@code 1 0}, a little-endian uint16 header length and a Python dict literal padded with
 * spaces and ended by a newline so that the data starts at a multiple of 64 bytes.
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int PREFIX = MAGIC.length + 2 + 2;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /**
   * A float32 array with its shape.
   *
   * @param shape the dimensions, slowest first (C order)
   * @param data the values in C order
   */
  record Array(long[] shape, float[] data) {
    Array {
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new InvalidInputException("npy shape must not be negative, got "
              + Arrays.toString(shape));
        }
        n = Math.multiplyExact(n, d);
      }
      if (n != data.length) {
        throw new InvalidInputException("npy shape " + Arrays.toString(shape) + " holds " + n
            + " values, got " + data.length);
      }
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /** The {@code .npy} bytes of {@code array}. */
  static byte[] write(Array array) {
    StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
    long[] shape = array.shape();
    for (int i = 0; i < shape.length; i++) {
      dict.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    // a 1-tuple needs its comma in Python
    dict.append(shape.length == 1 ? ",), }" : "), }");
    int unpadded = PREFIX + dict.length() + 1;
    int headerLength = dict.length() + 1 + (64 - unpadded % 64) % 64;
    if (headerLength > 0xFFFF) {
      throw new InvalidInputException("npy header of shape " + Arrays.toString(shape)
          + " is too long for format version 1.0");
    }
    while (dict.length() < headerLength - 1) {
      dict.append(' ');
    }
    dict.append('\n');
    float[] data = array.data();
    ByteBuffer b = ByteBuffer.allocate(PREFIX + headerLength + 4 * data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
    b.put(dict.toString().getBytes(StandardCharsets.US_ASCII));
    b.asFloatBuffer().put(data);
    return b.array();
  }

  /**
   * Reads a {@code .npy} array of float32 values in C order.
   *
   * @param source the file name, for messages
   * @throws FormatException naming the source and the byte offset of what is wrong: not an npy
   *     array, another type than {@code '<f4'}, Fortran order, or too few data bytes
   */
  static Array read(String source, byte[] bytes) {
    if (bytes.length < PREFIX || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw FormatException.atOffset(source, 0, "not a NumPy .npy file (expected the magic "
          + "\\x93NUMPY)");
    }
    int major = bytes[6] & 0xFF;
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength;
    int start;
    if (major == 1) {
      headerLength = b.getShort(8) & 0xFFFF;
      start = PREFIX;
    } else if (major == 2 || major == 3) {
      headerLength = b.getInt(8);
      start = PREFIX + 2;
    } else {
      throw FormatException.atOffset(source, 6, "npy format version " + major + "."
          + (bytes[7] & 0xFF) + " is not supported (1.0, 2.0 and 3.0 are)");
    }
    if (headerLength < 0 || start + (long) headerLength > bytes.length) {
      throw FormatException.atOffset(source, 8, "npy header of " + headerLength
          + " bytes runs past the end of the file (" + bytes.length + " bytes)");
    }
    String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, source, start, "descr");
    if (!descr.equals("<f4")) {
      throw FormatException.atOffset(source, start, "npy dtype must be '<f4' (little-endian "
          + "float32), got " + Quote.quote(descr));
    }
    if (group(ORDER, header, source, start, "fortran_order").equals("True")) {
      throw FormatException.atOffset(source, start, "npy array must be in C order, got "
          + "fortran_order True");
    }
    String dims = group(SHAPE, header, source, start, "shape").strip();
    long[] shape;
    try {
      shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split(","))
          .map(String::strip).filter(t -> !t.isEmpty()).mapToLong(Long::parseLong).toArray();
    } catch (NumberFormatException e) {
      throw FormatException.atOffset(source, start, "npy shape must be integers, got (" + dims
          + ")");
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw FormatException.atOffset(source, start, "npy shape must not be negative, got ("
            + dims + ")");
      }
      n = Math.multiplyExact(n, d);
    }
    int dataStart = start + headerLength;
    if ((bytes.length - dataStart) / 4 < n) {
      throw FormatException.atOffset(source, dataStart, "npy shape (" + dims + ") needs " + n
          + " float32 values, the file holds " + (bytes.length - dataStart) / 4);
    }
    float[] data = new float[(int) n];
    b.position(dataStart);
    b.asFloatBuffer().get(data);
    return new Array(shape, data);
  }

  private static String group(Pattern p, String header, String source, int offset, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw FormatException.atOffset(source, offset, "npy header has no valid '" + key
          + "': " + header.strip());
    }
    return m.group(1);
  }
}
