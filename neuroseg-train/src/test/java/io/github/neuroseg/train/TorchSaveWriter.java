package io.github.neuroseg.train;

import io.github.neuroseg.model.FloatTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes state dicts the way torch.save does (zip archive with a protocol-2 pickle and one raw
 * storage file per tensor), for tests. Options produce the variants real checkpoints contain.
 */
final class TorchSaveWriter {
  private final ByteArrayOutputStream pkl = new ByteArrayOutputStream();
  private int memo;

  /** Each tensor as a float32 storage, or float16 when {@code half}. */
  static void write(Path path, Map<String, FloatTensor> tensors, boolean half,
      String wrapperKey) throws IOException {
    TorchSaveWriter w = new TorchSaveWriter();
    byte[][] storages = new byte[tensors.size()][];
    w.op(0x80);
    w.op(2);
    if (wrapperKey != null) {
      w.op('}');
      w.put();
      w.str(wrapperKey);
    }
    w.global("collections", "OrderedDict");
    w.op(')');
    w.op('R');
    w.put();
    w.op('(');
    int i = 0;
    int rebuildMemo = -1;
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      FloatTensor t = e.getValue();
      w.str(e.getKey());
      if (rebuildMemo < 0) {
        w.global("torch._utils", "_rebuild_tensor_v2");
        rebuildMemo = w.put();
      } else {
        w.op('h');
        w.op(rebuildMemo);
      }
      w.op('(');
      // persistent id ('storage', type, key, location, numel)
      w.op('(');
      w.str("storage");
      w.global("torch", half ? "HalfStorage" : "FloatStorage");
      w.str(Integer.toString(i));
      w.str("cpu");
      w.integer(t.size());
      w.op('t');
      w.op('Q');
      w.integer(0);
      w.tuple(t.dims());
      long[] stride = new long[t.shape().length];
      long s = 1;
      for (int k = stride.length - 1; k >= 0; k--) {
        stride[k] = s;
        s *= t.shape()[k];
      }
      w.tuple(stride);
      w.op(0x89);
      w.global("collections", "OrderedDict");
      w.op(')');
      w.op('R');
      w.op('t');
      w.op('R');
      w.put();
      ByteBuffer b = ByteBuffer.allocate(t.size() * (half ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : t.values()) {
        if (half) {
          b.putShort(toHalf(v));
        } else {
          b.putFloat(v);
        }
      }
      storages[i++] = b.array();
    }
    w.op('u');
    // the _metadata attribute of a state dict arrives through BUILD
    w.op('}');
    w.str("_metadata");
    w.op('}');
    w.op('s');
    w.op('b');
    if (wrapperKey != null) {
      w.op('s');
    }
    w.op('.');
    try (OutputStream fo = Files.newOutputStream(path);
        ZipOutputStream zip = new ZipOutputStream(fo)) {
      entry(zip, "archive/data.pkl", w.pkl.toByteArray());
      entry(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      for (int k = 0; k < storages.length; k++) {
        entry(zip, "archive/data/" + k, storages[k]);
      }
      entry(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A raw pickle (no tensors) in an archive, e.g. a malicious one. */
  static void writeRaw(Path path, byte[] pickle) throws IOException {
    try (OutputStream fo = Files.newOutputStream(path);
        ZipOutputStream zip = new ZipOutputStream(fo)) {
      entry(zip, "archive/data.pkl", pickle);
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  /** Round to the nearest half (no infinities in tests). */
  static short toHalf(float v) {
    int bits = Float.floatToIntBits(v);
    int sign = (bits >>> 16) & 0x8000;
    float a = Math.abs(v);
    if (a == 0) {
      return (short) sign;
    }
    int exp = Math.getExponent(a);
    if (exp < -14) {
      // subnormal half: a multiple of 2^-24 (1024 carries into the smallest normal exactly)
      return (short) (sign | Math.round(a / 0x1p-24f));
    }
    int mant = (int) Math.round((a / Math.scalb(1.0f, exp) - 1) * 1024);
    if (mant == 1024) {
      mant = 0;
      exp++;
    }
    return (short) (sign | ((exp + 15) << 10) | mant);
  }

  private void op(int b) {
    pkl.write(b);
  }

  private int put() {
    op('q');
    op(memo);
    return memo++;
  }

  private void str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    ByteBuffer l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length);
    pkl.writeBytes(l.array());
    pkl.writeBytes(b);
    put();
  }

  private void global(String module, String name) {
    op('c');
    pkl.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    put();
  }

  private void integer(long v) {
    if (v >= 0 && v < 256) {
      op('K');
      op((int) v);
    } else if (v >= 0 && v < 65536) {
      op('M');
      op((int) (v & 0xff));
      op((int) (v >>> 8));
    } else {
      op('J');
      pkl.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v)
          .array());
    }
  }

  private void tuple(long[] v) {
    op('(');
    for (long x : v) {
      integer(x);
    }
    op('t');
  }
}
