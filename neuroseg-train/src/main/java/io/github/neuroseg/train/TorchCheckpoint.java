package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.model.FloatTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads tensors from a PyTorch checkpoint written by {@code torch.save} (the zip format of PyTorch
 * 1.6 and later: {@code <name>/data.pkl} plus one raw little-endian file per storage under
 * {@code <name>/data/}).
 *
 * <p>The pickle is interpreted by a restricted reader that never executes code from the file: it
 * understands only the opcodes that {@code torch.save} emits for state dicts (protocols 2 to 4:
 * dicts, lists, tuples, strings, numbers, memo, persistent ids) and only these callables, which it
 * evaluates itself: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code torch._utils._rebuild_tensor}, {@code torch._utils._rebuild_parameter} and the
 * {@code torch.*Storage} types. Any other global or opcode is rejected with a {@link
 * FormatException}. Float32, float16, bfloat16 and float64 tensors (and integer ones) are
 * converted to float32, honouring storage offsets and strides.
 */
final class TorchCheckpoint {
  private TorchCheckpoint() {}

  /**
   * Reads all tensors of a state dict. When the top level holds no tensors but a nested state
   * dict under {@code state_dict}, {@code model}, {@code teacher} or {@code student} (as DINO
   * training checkpoints do), that one is taken; nested keys are joined with dots.
   *
   * @throws FormatException when the file is not a torch zip checkpoint or uses anything beyond
   *     the restricted pickle subset
   * @throws NeuroSegIOException when it cannot be read
   */
  static Map<String, FloatTensor> read(Path path) {
    String src = path.toString();
    try (ZipFile zip = new ZipFile(path.toFile())) {
      String prefix = null;
      Enumeration<? extends ZipEntry> en = zip.entries();
      while (en.hasMoreElements()) {
        String n = en.nextElement().getName();
        if (n.endsWith("data.pkl") && (n.equals("data.pkl") || n.endsWith("/data.pkl"))) {
          prefix = n.substring(0, n.length() - "data.pkl".length());
          break;
        }
      }
      if (prefix == null) {
        throw FormatException.of(src, "no data.pkl in the archive; expected a checkpoint from "
            + "torch.save (PyTorch 1.6 or later)");
      }
      ZipEntry bo = zip.getEntry(prefix + "byteorder");
      if (bo != null) {
        String order = new String(readAll(zip, bo), StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
          throw FormatException.of(src, "byte order " + order + " not supported, expected little");
        }
      }
      byte[] pkl = readAll(zip, zip.getEntry(prefix + "data.pkl"));
      final String dataPrefix = prefix + "data/";
      Unpickler u = new Unpickler(pkl, src, key -> {
        ZipEntry e = zip.getEntry(dataPrefix + key);
        if (e == null) {
          throw FormatException.of(src, "storage " + key + " is missing from the archive");
        }
        try {
          return readAll(zip, e);
        } catch (IOException ex) {
          throw IoErrors.cannot("read storage " + key + " of", src, ex);
        }
      });
      Object root = u.load();
      Map<String, FloatTensor> out = tensorsOf(root);
      if (out.isEmpty() && root instanceof Map<?, ?> m) {
        for (String k : new String[] {"state_dict", "model", "teacher", "student"}) {
          out = tensorsOf(m.get(k));
          if (!out.isEmpty()) {
            break;
          }
        }
      }
      if (out.isEmpty()) {
        throw FormatException.of(src, "the checkpoint holds no tensors by name (expected a state "
            + "dict, possibly under state_dict, model, teacher or student)");
      }
      return out;
    } catch (java.util.zip.ZipException e) {
      throw FormatException.of(src, "not a zip archive (" + e.getMessage() + "); only the zip "
          + "checkpoints of torch.save (PyTorch 1.6 or later) are supported", e);
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
  }

  private static Map<String, FloatTensor> tensorsOf(Object o) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    if (o instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getKey() instanceof String k && e.getValue() instanceof FloatTensor t) {
          out.put(k, t);
        }
      }
    }
    return out;
  }

  private static byte[] readAll(ZipFile zip, ZipEntry e) throws IOException {
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  /** Supplies the bytes of a storage by its key. */
  interface StorageSource {
    byte[] bytes(String key);
  }

  /** A reference to a Python global that the reader allows. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /** A storage from a persistent id: element type and key. */
  record Storage(String dtype, String key, long numel) {}

  /** A Python tuple. */
  record Tuple(List<Object> items) {}

  /** Python None (the stacks hold no Java nulls). */
  enum None { NONE }

  /** The restricted pickle virtual machine. */
  static final class Unpickler {
    private static final Object MARK = new Object();
    private final ByteBuffer in;
    private final String src;
    private final StorageSource storages;
    private final Map<String, byte[]> storageCache = new HashMap<>();
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    Unpickler(byte[] data, String src, StorageSource storages) {
      this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      this.src = src;
      this.storages = storages;
    }

    Object load() {
      try {
        while (true) {
          int pos = in.position();
          int op = in.get() & 0xff;
          switch (op) {
            case 0x80 -> in.get(); // PROTO
            case 0x95 -> in.getLong(); // FRAME
            case '.' -> {
              return pop(pos);
            }
            case '}' -> push(new LinkedHashMap<Object, Object>());
            case ']' -> push(new ArrayList<>());
            case ')' -> push(new Tuple(List.of()));
            case '(' -> push(MARK);
            case 'N' -> push(None.NONE);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'K' -> push((long) (in.get() & 0xff));
            case 'M' -> push((long) (in.getShort() & 0xffff));
            case 'J' -> push((long) in.getInt());
            case 0x8a -> push(long1(in.get() & 0xff, pos));
            case 'G' -> {
              in.order(ByteOrder.BIG_ENDIAN);
              double d = in.getDouble();
              in.order(ByteOrder.LITTLE_ENDIAN);
              push(d);
            }
            case 'X' -> push(utf8(in.getInt(), pos));
            case 0x8c -> push(utf8(in.get() & 0xff, pos));
            case 0x8d -> push(utf8(Math.toIntExact(in.getLong()), pos));
            case 'U' -> push(utf8(in.get() & 0xff, pos));
            case 'T' -> push(utf8(in.getInt(), pos));
            case 'c' -> push(global(line(), line(), pos));
            case 0x93 -> {
              String name = (String) pop(pos);
              String module = (String) pop(pos);
              push(global(module, name, pos));
            }
            case 'q' -> memo.put((long) (in.get() & 0xff), peek(pos));
            case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek(pos));
            case 0x94 -> memo.put((long) memo.size(), peek(pos));
            case 'h' -> push(memoGet(in.get() & 0xff, pos));
            case 'j' -> push(memoGet(in.getInt() & 0xffffffffL, pos));
            case 't' -> push(new Tuple(popMark(pos)));
            case 0x85 -> push(new Tuple(List.of(pop(pos))));
            case 0x86 -> {
              Object b = pop(pos);
              Object a = pop(pos);
              push(new Tuple(List.of(a, b)));
            }
            case 0x87 -> {
              Object c = pop(pos);
              Object b = pop(pos);
              Object a = pop(pos);
              push(new Tuple(List.of(a, b, c)));
            }
            case 'a' -> {
              Object v = pop(pos);
              asList(peek(pos), pos).add(v);
            }
            case 'e' -> {
              List<Object> items = popMark(pos);
              asList(peek(pos), pos).addAll(items);
            }
            case 's' -> {
              Object v = pop(pos);
              Object k = pop(pos);
              asMap(peek(pos), pos).put(k, v);
            }
            case 'u' -> {
              List<Object> items = popMark(pos);
              Map<Object, Object> m = asMap(peek(pos), pos);
              for (int k = 0; k + 1 < items.size(); k += 2) {
                m.put(items.get(k), items.get(k + 1));
              }
            }
            case 'Q' -> push(persistent(pop(pos), pos));
            case 'R' -> {
              Object args = pop(pos);
              Object f = pop(pos);
              push(call(f, args, pos));
            }
            case 'b' -> {
              // BUILD: the only state torch.save attaches is a state dict's _metadata; drop it
              pop(pos);
              Object target = peek(pos);
              if (!(target instanceof Map<?, ?>) && !(target instanceof FloatTensor)) {
                throw err(pos, "BUILD on an unsupported object " + describe(target));
              }
            }
            default -> throw err(pos, String.format(
                "pickle opcode 0x%02x is not allowed in a tensor checkpoint", op));
          }
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw FormatException.atOffset(src + " (data.pkl)", in.limit(),
            "the pickle ends before its STOP opcode");
      } catch (ClassCastException e) {
        throw FormatException.of(src + " (data.pkl)", "unexpected pickle structure: " + e);
      }
    }

    private Object global(String module, String name, int pos) {
      Global g = new Global(module, name);
      String q = g.qualified();
      boolean ok = q.equals("collections.OrderedDict")
          || q.equals("torch._utils._rebuild_tensor_v2")
          || q.equals("torch._utils._rebuild_tensor")
          || q.equals("torch._utils._rebuild_parameter")
          || (module.equals("torch") && name.endsWith("Storage") && storageDtype(name) != null);
      if (!ok) {
        throw err(pos, "global " + q + " is not allowed: a tensor checkpoint only needs "
            + "OrderedDict, torch tensor rebuilding and storage types; refusing to go on");
      }
      return g;
    }

    private static String storageDtype(String storageName) {
      return switch (storageName) {
        case "FloatStorage" -> "F32";
        case "HalfStorage" -> "F16";
        case "BFloat16Storage" -> "BF16";
        case "DoubleStorage" -> "F64";
        case "LongStorage" -> "I64";
        case "IntStorage" -> "I32";
        default -> null;
      };
    }

    private Object persistent(Object pid, int pos) {
      if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0))
          || !(t.items().get(1) instanceof Global type) || !(t.items().get(2) instanceof String key)
          || !(t.items().get(4) instanceof Long numel)) {
        throw err(pos, "unsupported persistent id " + describe(pid));
      }
      return new Storage(storageDtype(type.name()), key, numel);
    }

    private Object call(Object f, Object args, int pos) {
      if (!(f instanceof Global g) || !(args instanceof Tuple t)) {
        throw err(pos, "REDUCE needs an allowed global and a tuple, got " + describe(f));
      }
      List<Object> a = t.items();
      switch (g.qualified()) {
        case "collections.OrderedDict":
          return new LinkedHashMap<Object, Object>();
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor":
          if (a.size() < 4 || !(a.get(0) instanceof Storage s) || !(a.get(1) instanceof Long off)
              || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride)) {
            throw err(pos, "unexpected arguments to " + g.qualified());
          }
          return tensor(s, off, longs(size, pos), longs(stride, pos), pos);
        case "torch._utils._rebuild_parameter":
          if (a.isEmpty() || !(a.get(0) instanceof FloatTensor wt)) {
            throw err(pos, "unexpected arguments to _rebuild_parameter");
          }
          return wt;
        default:
          throw err(pos, "calling " + g.qualified() + " is not allowed");
      }
    }

    private FloatTensor tensor(Storage s, long offset, long[] size, long[] stride, int pos) {
      if (size.length != stride.length) {
        throw err(pos, "tensor size and stride differ in length");
      }
      byte[] bytes = storageCache.computeIfAbsent(s.key(), storages::bytes);
      int width = Dtypes.width(s.dtype());
      if (bytes.length < s.numel() * width) {
        throw err(pos, "storage " + s.key() + " has " + bytes.length + " bytes, needs "
            + s.numel() * width);
      }
      float[] all = Dtypes.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
          s.dtype(), (int) s.numel());
      long count = 1;
      long maxIndex = offset;
      for (int k = 0; k < size.length; k++) {
        count *= size[k];
        if (size[k] > 0) {
          maxIndex += (size[k] - 1) * stride[k];
        }
      }
      if (count > 0 && (offset < 0 || maxIndex >= all.length)) {
        throw err(pos, "tensor view reaches past its storage " + s.key());
      }
      float[] out = new float[Math.toIntExact(count)];
      int[] idx = new int[size.length];
      for (int i = 0; i < out.length; i++) {
        long src = offset;
        for (int k = 0; k < size.length; k++) {
          src += idx[k] * stride[k];
        }
        out[i] = all[(int) src];
        for (int k = size.length - 1; k >= 0; k--) {
          if (++idx[k] < size[k]) {
            break;
          }
          idx[k] = 0;
        }
      }
      return FloatTensor.of(size, out);
    }

    private long[] longs(Tuple t, int pos) {
      long[] r = new long[t.items().size()];
      for (int k = 0; k < r.length; k++) {
        if (!(t.items().get(k) instanceof Long l)) {
          throw err(pos, "expected integers in " + describe(t));
        }
        r[k] = l;
      }
      return r;
    }

    private long long1(int n, int pos) {
      if (n > 8) {
        throw err(pos, "integer of " + n + " bytes is too large");
      }
      long v = 0;
      for (int k = 0; k < n; k++) {
        v |= (long) (in.get() & 0xff) << (8 * k);
      }
      if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
        v |= -1L << (8 * n);
      }
      return v;
    }

    private String utf8(int n, int pos) {
      if (n < 0 || n > in.remaining()) {
        throw err(pos, "string of " + n + " bytes runs past the end");
      }
      byte[] b = new byte[n];
      in.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    private String line() {
      StringBuilder b = new StringBuilder();
      while (true) {
        byte c = in.get();
        if (c == '\n') {
          return b.toString();
        }
        b.append((char) (c & 0xff));
      }
    }

    private Object memoGet(long k, int pos) {
      Object v = memo.get(k);
      if (v == null) {
        throw err(pos, "memo entry " + k + " is not defined");
      }
      return v;
    }

    private void push(Object o) {
      stack.add(o);
    }

    private Object pop(int pos) {
      if (stack.isEmpty()) {
        throw err(pos, "pickle stack underflow");
      }
      Object o = stack.remove(stack.size() - 1);
      if (o == MARK) {
        throw err(pos, "unexpected MARK");
      }
      return o;
    }

    private Object peek(int pos) {
      if (stack.isEmpty()) {
        throw err(pos, "pickle stack underflow");
      }
      return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(int pos) {
      int k = stack.size() - 1;
      while (k >= 0 && stack.get(k) != MARK) {
        k--;
      }
      if (k < 0) {
        throw err(pos, "no MARK on the stack");
      }
      List<Object> items = new ArrayList<>(stack.subList(k + 1, stack.size()));
      stack.subList(k, stack.size()).clear();
      return items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, int pos) {
      if (!(o instanceof List<?>)) {
        throw err(pos, "APPEND to " + describe(o));
      }
      return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, int pos) {
      if (!(o instanceof Map<?, ?>)) {
        throw err(pos, "SETITEM on " + describe(o));
      }
      return (Map<Object, Object>) o;
    }

    private static String describe(Object o) {
      return o == null ? "nothing" : o.getClass().getSimpleName();
    }

    private FormatException err(int pos, String problem) {
      return FormatException.atOffset(src + " (data.pkl)", pos, problem);
    }
  }
}
