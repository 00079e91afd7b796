package io.github.neuroseg.train;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.IoErrors;
import io.github.neuroseg.model.FloatTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch checkpoint written by {@code torch.save} (the zip format of PyTorch 1.6 and
 * later: {@code <name>/data.pkl} plus one raw little-endian file per storage under {@code
 * <name>/data/}).
 *
 * <p>The pickle is interpreted by a restricted reader that never executes code from the file. It
 * understands the opcodes of pickle protocols 2 to 4 that {@code torch.save} emits (containers,
 * strings, bytes, numbers, memo, persistent ids, object construction) and only these globals:
 *
 * <ul>
 *   <li>evaluated by the reader itself: {@code collections.OrderedDict}, {@code
 *       torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor}, {@code _rebuild_parameter},
 *       {@code _rebuild_parameter_with_state}, the {@code torch.*Storage} types and {@code
 *       _codecs.encode} (how protocol 2 writes bytes);
 *   <li>inert value classes, rebuilt as {@link Opaque} values that hold their arguments and
 *       state and are never called: {@value #INERT_TEXT}. They occur in DINO training
 *       checkpoints, whose {@code args} entry is an {@code argparse.Namespace} of the training
 *       options (numbers there may be numpy scalars).
 * </ul>
 *
 * <p>Any other global (e.g. {@code os.system}, {@code builtins.eval}, a class of the training
 * code) is refused with a {@link FormatException} naming it, before anything else happens.
 * Tensors are read lazily ({@link TensorRef}): a full training checkpoint holds optimiser state
 * and two networks, and only the tensors used are decoded. Float32, float16, bfloat16 and float64
 * tensors (and integer ones) are converted to float32, honouring storage offsets and strides.
 */
final class TorchCheckpoint {
  /** The inert classes, as the class comment lists them. */
  static final Set<String> INERT = Set.of("argparse.Namespace", "numpy.dtype",
      "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
      "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
      "numpy.ndarray", "builtins.set", "builtins.frozenset", "builtins.slice",
      "builtins.complex", "builtins.bytearray", "torch.Size", "torch.device",
      "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.Path");
  static final String INERT_TEXT = "argparse.Namespace, numpy.dtype, numpy scalars and arrays "
      + "(numpy.core.multiarray.scalar and _reconstruct, numpy.ndarray), builtins.set, "
      + "frozenset, slice, complex and bytearray, torch.Size, torch.device and pathlib paths";

  /** The magic number that starts the pickle of a legacy (pre-zip) torch.save file. */
  private static final byte[] LEGACY_MAGIC = {(byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
      0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

  /**
   * The largest {@code data.pkl} read (64 MiB): the pickle of a state dict, even with optimiser
   * state, is a few megabytes, so a larger one is a corrupt archive or a zip bomb.
   */
  static final int MAX_PICKLE_BYTES = 64 << 20;

  private TorchCheckpoint() {}

  /**
   * Reads all tensors of a state dict, as {@link StateDictSelection} picks it (for a training
   * checkpoint with several networks, the teacher), by their names in the file.
   *
   * @throws FormatException when the file is not a torch zip checkpoint or uses anything beyond
   *     the restricted pickle subset
   * @throws NeuroSegIOException when it cannot be read
   */
  static Map<String, FloatTensor> read(Path path) {
    try (Archive a = open(path)) {
      StateDictSelection s = StateDictSelection.of(a.root(), "teacher", path.toString());
      Map<String, FloatTensor> out = new LinkedHashMap<>();
      s.tensors().forEach((k, v) -> out.put(k, a.load(v)));
      return out;
    }
  }

  /**
   * Whether the first bytes of a file are a pickle (a legacy {@code torch.save} file or a bare
   * pickle), and if so the error that says how to convert it; {@code null} otherwise.
   */
  static FormatException legacyError(String src, byte[] head, int n) {
    if (n < 2 || (head[0] & 0xff) != 0x80 || head[1] < 2 || head[1] > 5) {
      return null;
    }
    boolean legacy = n >= 2 + LEGACY_MAGIC.length
        && Arrays.equals(Arrays.copyOfRange(head, 2, 2 + LEGACY_MAGIC.length), LEGACY_MAGIC);
    String what = legacy
        ? "a legacy torch.save file (PyTorch before 1.6, or saved with "
            + "_use_new_zipfile_serialization=False)"
        : "a bare pickle, not a torch.save checkpoint";
    return FormatException.of(src, what + "; neuroseg reads the zip format of torch.save "
        + "(PyTorch 1.6 and later) and safetensors. Re-save it once with PyTorch: python3 -c "
        + "\"import torch; torch.save(torch.load('IN.pth', map_location='cpu', "
        + "weights_only=True), 'OUT.pth')\" (torch.load runs code from the file without "
        + "weights_only=True: drop it only for a file you trust)");
  }

  /**
   * Opens a checkpoint and interprets its pickle; the storages are read when tensors are {@link
   * Archive#load loaded}.
   *
   * @throws FormatException when the file is not a torch zip checkpoint or its pickle uses
   *     anything beyond the restricted subset
   * @throws NeuroSegIOException when it cannot be read
   */
  static Archive open(Path path) {
    String src = path.toString();
    ZipFile zip;
    try {
      zip = new ZipFile(path.toFile());
    } catch (java.util.zip.ZipException e) {
      throw FormatException.of(src, "not a zip archive (" + e.getMessage() + "); only the zip "
          + "checkpoints of torch.save (PyTorch 1.6 or later) are supported", e);
    } catch (IOException e) {
      throw IoErrors.cannotRead(path, e);
    }
    try {
      String prefix = null;
      boolean torchScript = false;
      Enumeration<? extends ZipEntry> en = zip.entries();
      while (en.hasMoreElements()) {
        String n = en.nextElement().getName();
        if (n.endsWith("constants.pkl") || n.contains("/code/") || n.startsWith("code/")) {
          torchScript = true;
        }
        if (prefix == null && (n.equals("data.pkl") || n.endsWith("/data.pkl"))) {
          prefix = n.substring(0, n.length() - "data.pkl".length());
        }
      }
      if (torchScript) {
        throw FormatException.of(src, "a TorchScript archive (torch.jit.save), not a "
            + "checkpoint; save the model's state_dict() with torch.save instead");
      }
      if (prefix == null) {
        throw FormatException.of(src, "no data.pkl in the archive; expected a checkpoint from "
            + "torch.save (PyTorch 1.6 or later)");
      }
      ZipEntry bo = zip.getEntry(prefix + "byteorder");
      if (bo != null) {
        String order = new String(readAll(zip, bo, 64, src, "byteorder"),
            StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
          throw FormatException.of(src, "byte order " + order + " not supported, expected little");
        }
      }
      byte[] pkl = readAll(zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES, src,
          prefix + "data.pkl");
      Object root = new Unpickler(pkl, src).load();
      return new Archive(zip, src, prefix + "data/", root);
    } catch (IOException e) {
      close(zip);
      throw IoErrors.cannotRead(path, e);
    } catch (RuntimeException e) {
      close(zip);
      throw e;
    }
  }

  private static void close(ZipFile zip) {
    try {
      zip.close();
    } catch (IOException ignored) {
      // nothing was written; the original problem is reported
    }
  }

  /**
   * The bytes of an entry, at most {@code max}: an entry that expands further (a zip bomb, or a
   * storage longer than its elements) is refused after reading {@code max + 1} bytes, whatever
   * sizes the archive's directory states.
   */
  private static byte[] readAll(ZipFile zip, ZipEntry e, int max, String src, String what)
      throws IOException {
    return readAll(zip, e, max, src, what, what + " expands to more than " + max + " bytes");
  }

  private static byte[] readAll(ZipFile zip, ZipEntry e, int max, String src, String what,
      String tooLong) throws IOException {
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes(max);
      if (in.read() >= 0) {
        throw FormatException.of(src, tooLong + "; the archive is corrupt (or a zip bomb)");
      }
      return b;
    } catch (java.util.zip.ZipException ex) {
      throw FormatException.of(src, "cannot decompress " + what + ": " + ex.getMessage(), ex);
    }
  }

  /** An open checkpoint: its unpickled object tree and the storages its tensors read. */
  static final class Archive implements AutoCloseable {
    private final ZipFile zip;
    private final String src;
    private final String dataPrefix;
    private final Object root;
    private final Map<String, byte[]> cache = new HashMap<>();

    private Archive(ZipFile zip, String src, String dataPrefix, Object root) {
      this.zip = zip;
      this.src = src;
      this.dataPrefix = dataPrefix;
      this.root = root;
    }

    /**
     * The unpickled object: maps ({@link LinkedHashMap}), lists, {@link Tuple}s, strings, longs,
     * doubles, booleans, byte arrays, {@link None}, {@link TensorRef}s and {@link Opaque}s.
     */
    Object root() {
      return root;
    }

    /**
     * The tensor's values as float32.
     *
     * @throws FormatException when its storage is missing, too short, or of a type that has no
     *     float conversion
     */
    FloatTensor load(TensorRef t) {
      Storage s = t.storage();
      if (s.dtype() == null) {
        throw FormatException.of(src, "tensor of storage " + s.key() + " has the element type "
            + s.typeName() + ", which has no float conversion");
      }
      int width = Dtypes.width(s.dtype());
      // numel <= MAX_ARRAY_LENGTH (checked by the unpickler): the bytes fit a long
      long needed = s.numel() * width;
      if (needed > Checks.MAX_ARRAY_LENGTH) {
        throw FormatException.of(src, "storage " + s.key() + " of " + s.numel() + " "
            + s.dtype() + " elements does not fit one array");
      }
      byte[] bytes = cache.computeIfAbsent(s.key(), k -> storage(k, (int) needed));
      if (bytes.length < needed) {
        throw FormatException.of(src, "storage " + s.key() + " has " + bytes.length
            + " bytes, needs " + needed);
      }
      // sizes, strides and the offset are >= 0 (checked by the unpickler); saturated sums
      long count = Checks.product(t.size());
      long maxIndex = t.offset();
      for (int k = 0; k < t.size().length; k++) {
        if (t.size()[k] > 0) {
          long step = Checks.product(t.size()[k] - 1, t.stride()[k]);
          maxIndex = maxIndex > Long.MAX_VALUE - step ? Long.MAX_VALUE : maxIndex + step;
        }
      }
      if (count > 0 && maxIndex >= s.numel()) {
        throw FormatException.of(src, "tensor view of size " + t.shapeText() + " reaches past"
            + " its storage " + s.key() + " of " + s.numel() + " elements");
      }
      float[] all = Dtypes.decode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
          s.dtype(), (int) s.numel());
      float[] out = new float[Math.toIntExact(count)];
      long[] size = t.size();
      long[] stride = t.stride();
      int[] idx = new int[size.length];
      for (int i = 0; i < out.length; i++) {
        long at = t.offset();
        for (int k = 0; k < size.length; k++) {
          at += idx[k] * stride[k];
        }
        out[i] = all[(int) at];
        for (int k = size.length - 1; k >= 0; k--) {
          if (++idx[k] < size[k]) {
            break;
          }
          idx[k] = 0;
        }
      }
      return FloatTensor.of(size, out);
    }

    private byte[] storage(String key, int bytes) {
      ZipEntry e = zip.getEntry(dataPrefix + key);
      if (e == null) {
        throw FormatException.of(src, "storage " + key + " is missing from the archive");
      }
      try {
        return readAll(zip, e, bytes, src, "storage " + key, "storage " + key
            + " holds more than the " + bytes + " bytes its elements take");
      } catch (IOException ex) {
        throw IoErrors.cannot("read storage " + key + " of", src, ex);
      }
    }

    /** Closes the archive; idempotent. */
    @Override
    public void close() {
      TorchCheckpoint.close(zip);
    }
  }

  /** A reference to a Python global that the reader allows. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * A storage from a persistent id.
   *
   * @param typeName the storage class, e.g. {@code FloatStorage}
   * @param dtype the element type in safetensors names, or {@code null} for one without float
   *     conversion (e.g. bool)
   * @param key the storage's file name under {@code data/}
   * @param numel elements in the storage
   */
  record Storage(String typeName, String dtype, String key, long numel) {}

  /**
   * A tensor in the file, not yet decoded: a strided view of a storage.
   *
   * @param storage where the values are
   * @param offset first element in the storage
   * @param size the shape
   * @param stride elements between neighbours along each axis
   */
  record TensorRef(Storage storage, long offset, long[] size, long[] stride) {
    /** The shape as ints. */
    int[] shape() {
      int[] s = new int[size.length];
      for (int k = 0; k < s.length; k++) {
        s[k] = Math.toIntExact(size[k]);
      }
      return s;
    }

    /** The shape as text, e.g. {@code [384, 3, 16, 16]}. */
    String shapeText() {
      return Arrays.toString(size);
    }
  }

  /**
   * An instance of an inert class ({@link #INERT}), kept as data and never called.
   *
   * @param type the qualified class name, e.g. {@code argparse.Namespace}
   * @param args the constructor or reduce arguments
   * @param state the state set by BUILD (an attribute map for a Namespace), or {@link None}
   */
  record Opaque(String type, List<Object> args, Object state) {
    /** The attributes of the state when it is a map of string keys (a Namespace's options). */
    Map<String, Object> attributes() {
      Map<String, Object> m = new LinkedHashMap<>();
      if (state instanceof Map<?, ?> s) {
        s.forEach((k, v) -> {
          if (k instanceof String ks) {
            m.put(ks, v);
          }
        });
      }
      return m;
    }
  }

  /** A Python tuple. */
  record Tuple(List<Object> items) {}

  /** Python None (the stacks hold no Java nulls). */
  enum None { NONE }

  /** A short, bounded description of an unpickled value, for reports. */
  static String describe(Object o, int budget) {
    StringBuilder b = new StringBuilder();
    describe(o, b, budget);
    return b.length() > budget ? b.substring(0, Math.max(0, budget - 3)) + "..." : b.toString();
  }

  private static void describe(Object o, StringBuilder b, int budget) {
    if (b.length() > budget) {
      return;
    }
    if (o instanceof String s) {
      b.append('\'').append(s).append('\'');
    } else if (o instanceof None) {
      b.append("None");
    } else if (o instanceof Boolean v) {
      b.append(v ? "True" : "False");
    } else if (o instanceof Double d) {
      b.append(formatDouble(d));
    } else if (o instanceof TensorRef t) {
      b.append("tensor").append(t.shapeText());
    } else if (o instanceof byte[] bytes) {
      b.append("bytes[").append(bytes.length).append(']');
    } else if (o instanceof Opaque op) {
      Object scalar = numpyScalar(op);
      if (scalar != null) {
        b.append(scalar instanceof Double d ? formatDouble(d) : scalar.toString());
        return;
      }
      b.append(op.type()).append('(');
      Map<String, Object> attrs = op.attributes();
      if (!attrs.isEmpty()) {
        boolean first = true;
        for (Map.Entry<String, Object> e : attrs.entrySet()) {
          b.append(first ? "" : ", ").append(e.getKey()).append('=');
          describe(e.getValue(), b, budget);
          first = false;
          if (b.length() > budget) {
            return;
          }
        }
      } else {
        for (int k = 0; k < op.args().size(); k++) {
          b.append(k == 0 ? "" : ", ");
          describe(op.args().get(k), b, budget);
        }
      }
      b.append(')');
    } else if (o instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ", ");
        describe(e.getKey(), b, budget);
        b.append(": ");
        describe(e.getValue(), b, budget);
        first = false;
        if (b.length() > budget) {
          return;
        }
      }
      b.append('}');
    } else if (o instanceof List<?> l) {
      seq(l, "[", "]", b, budget);
    } else if (o instanceof Tuple t) {
      seq(t.items(), "(", t.items().size() == 1 ? ",)" : ")", b, budget);
    } else {
      b.append(o);
    }
  }

  private static void seq(List<?> l, String open, String close, StringBuilder b, int budget) {
    b.append(open);
    for (int k = 0; k < l.size(); k++) {
      b.append(k == 0 ? "" : ", ");
      describe(l.get(k), b, budget);
      if (b.length() > budget) {
        return;
      }
    }
    b.append(close);
  }

  private static String formatDouble(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.format(Locale.ROOT, "%.1f", d)
        : Double.toString(d);
  }

  /**
   * The value of a numpy scalar ({@code numpy.core.multiarray.scalar(dtype, bytes)}) of a
   * little-endian float or integer type, or {@code null}.
   */
  static Object numpyScalar(Opaque op) {
    if (!op.type().endsWith("multiarray.scalar") || op.args().size() != 2
        || !(op.args().get(0) instanceof Opaque dt) || !dt.type().equals("numpy.dtype")
        || dt.args().isEmpty() || !(dt.args().get(0) instanceof String code)
        || !(op.args().get(1) instanceof byte[] bytes)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    return switch (code + ":" + bytes.length) {
      case "f8:8" -> b.getDouble();
      case "f4:4" -> (double) b.getFloat();
      case "i8:8" -> b.getLong();
      case "i4:4" -> (long) b.getInt();
      case "b1:1" -> bytes[0] != 0;
      default -> null;
    };
  }

  /** The restricted pickle virtual machine. */
  static final class Unpickler {
    private static final Object MARK = new Object();
    private final ByteBuffer in;
    private final String src;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    Unpickler(byte[] data, String src) {
      this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      this.src = src;
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
            case 0x8f -> push(new Opaque("builtins.set", new ArrayList<>(), None.NONE));
            case '(' -> push(MARK);
            case '0' -> pop(pos); // POP
            case '1' -> popMark(pos); // POP_MARK
            case '2' -> push(peek(pos)); // DUP
            case 'N' -> push(None.NONE);
            case 0x88 -> push(Boolean.TRUE);
            case 0x89 -> push(Boolean.FALSE);
            case 'K' -> push((long) (in.get() & 0xff));
            case 'M' -> push((long) (in.getShort() & 0xffff));
            case 'J' -> push((long) in.getInt());
            case 0x8a -> push(longN(in.get() & 0xff, pos));
            case 0x8b -> push(longN(in.getInt(), pos));
            case 'G' -> {
              in.order(ByteOrder.BIG_ENDIAN);
              double d = in.getDouble();
              in.order(ByteOrder.LITTLE_ENDIAN);
              push(d);
            }
            case 'X' -> push(utf8(in.getInt(), pos));
            case 0x8c -> push(utf8(in.get() & 0xff, pos));
            case 0x8d -> push(utf8(length(in.getLong(), pos), pos));
            case 'U' -> push(utf8(in.get() & 0xff, pos));
            case 'T' -> push(utf8(in.getInt(), pos));
            case 'C' -> push(bytes(in.get() & 0xff, pos)); // SHORT_BINBYTES
            case 'B' -> push(bytes(in.getInt(), pos)); // BINBYTES
            case 0x8e -> push(bytes(length(in.getLong(), pos), pos)); // BINBYTES8
            case 'c' -> push(global(line(), line(), pos));
            case 0x93 -> {
              String name = string(pop(pos), pos);
              String module = string(pop(pos), pos);
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
            case 0x90 -> { // ADDITEMS (to a set)
              List<Object> items = popMark(pos);
              Object set = peek(pos);
              if (!(set instanceof Opaque o) || !o.type().equals("builtins.set")) {
                throw err(pos, "ADDITEMS on " + kind(set));
              }
              o.args().addAll(items);
            }
            case 0x91 -> push(new Opaque("builtins.frozenset", popMark(pos), None.NONE));
            case 's' -> {
              Object v = pop(pos);
              Object k = pop(pos);
              asMap(peek(pos), pos).put(key(k, pos), v);
            }
            case 'u' -> {
              List<Object> items = popMark(pos);
              Map<Object, Object> m = asMap(peek(pos), pos);
              for (int k = 0; k + 1 < items.size(); k += 2) {
                m.put(key(items.get(k), pos), items.get(k + 1));
              }
            }
            case 'Q' -> push(persistent(pop(pos), pos));
            case 'R' -> {
              Object args = pop(pos);
              Object f = pop(pos);
              push(call(f, args, pos));
            }
            case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
              Object args = pop(pos);
              Object cls = pop(pos);
              push(construct(cls, args, pos));
            }
            case 0x92 -> { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
              pop(pos);
              Object args = pop(pos);
              Object cls = pop(pos);
              push(construct(cls, args, pos));
            }
            case 'b' -> {
              // BUILD: an object's state. A state dict's _metadata and a parameter's state are
              // dropped; an inert object keeps its state as data
              Object state = pop(pos);
              Object target = peek(pos);
              if (target instanceof Opaque o) {
                stack.set(stack.size() - 1, new Opaque(o.type(), o.args(), state));
                replaceInMemo(o, stack.get(stack.size() - 1));
              } else if (!(target instanceof Map<?, ?>) && !(target instanceof TensorRef)) {
                throw err(pos, "BUILD on an unsupported object " + kind(target));
              }
            }
            default -> throw err(pos, String.format(
                "pickle opcode 0x%02x is not allowed in a tensor checkpoint", op));
          }
        }
      } catch (java.nio.BufferUnderflowException e) {
        throw FormatException.atOffset(src + " (data.pkl)", in.limit(),
            "the pickle ends before its STOP opcode");
      }
    }

    /** An object memoised before its BUILD is the same object afterwards. */
    private void replaceInMemo(Object old, Object now) {
      for (Map.Entry<Long, Object> e : memo.entrySet()) {
        if (e.getValue() == old) {
          e.setValue(now);
        }
      }
    }

    private Object global(String module, String name, int pos) {
      Global g = new Global(module, name);
      String q = g.qualified();
      boolean ok = q.equals("collections.OrderedDict")
          || q.equals("torch._utils._rebuild_tensor_v2")
          || q.equals("torch._utils._rebuild_tensor")
          || q.equals("torch._utils._rebuild_parameter")
          || q.equals("torch._utils._rebuild_parameter_with_state")
          || q.equals("_codecs.encode")
          || INERT.contains(q)
          || (module.equals("torch") && STORAGES.containsKey(name));
      if (!ok) {
        throw err(pos, "global " + q + " is not allowed: a checkpoint only needs OrderedDict, "
            + "torch tensor rebuilding, storage types and inert values (" + INERT_TEXT
            + "); refusing to go on");
      }
      return g;
    }

    /** Storage classes and their element types in safetensors names (null: no float form). */
    private static final Map<String, String> STORAGES = storages();

    private static Map<String, String> storages() {
      Map<String, String> m = new HashMap<>();
      m.put("FloatStorage", "F32");
      m.put("HalfStorage", "F16");
      m.put("BFloat16Storage", "BF16");
      m.put("DoubleStorage", "F64");
      m.put("LongStorage", "I64");
      m.put("IntStorage", "I32");
      m.put("ShortStorage", "I16");
      m.put("CharStorage", "I8");
      m.put("ByteStorage", "U8");
      m.put("BoolStorage", "BOOL");
      m.put("ComplexFloatStorage", null);
      m.put("ComplexDoubleStorage", null);
      return m;
    }

    private Object persistent(Object pid, int pos) {
      if (!(pid instanceof Tuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0))
          || !(t.items().get(1) instanceof Global type) || !(t.items().get(2) instanceof String key)
          || !(t.items().get(4) instanceof Long numel)) {
        throw err(pos, "unsupported persistent id " + kind(pid));
      }
      if (numel < 0 || numel > Checks.MAX_ARRAY_LENGTH) {
        throw err(pos, "a storage of " + numel + " elements; expected 0 to "
            + Checks.MAX_ARRAY_LENGTH);
      }
      return new Storage(type.name(), STORAGES.get(type.name()), key, numel);
    }

    private Object construct(Object cls, Object args, int pos) {
      if (!(cls instanceof Global g) || !INERT.contains(g.qualified())) {
        throw err(pos, "constructing " + (cls instanceof Global g2 ? g2.qualified() : kind(cls))
            + " is not allowed");
      }
      return new Opaque(g.qualified(), new ArrayList<>(items(args, pos)), None.NONE);
    }

    private Object call(Object f, Object args, int pos) {
      if (!(f instanceof Global g)) {
        throw err(pos, "REDUCE needs an allowed global, got " + kind(f));
      }
      List<Object> a = items(args, pos);
      switch (g.qualified()) {
        case "collections.OrderedDict":
          return new LinkedHashMap<Object, Object>();
        case "torch._utils._rebuild_tensor_v2":
        case "torch._utils._rebuild_tensor":
          if (a.size() < 4 || !(a.get(0) instanceof Storage s) || !(a.get(1) instanceof Long off)
              || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride)) {
            throw err(pos, "unexpected arguments to " + g.qualified());
          }
          long[] sz = longs(size, pos);
          long[] st = longs(stride, pos);
          if (sz.length != st.length) {
            throw err(pos, "tensor size and stride differ in length");
          }
          checkView(off, sz, st, pos);
          return new TensorRef(s, off, sz, st);
        case "torch._utils._rebuild_parameter":
        case "torch._utils._rebuild_parameter_with_state":
          if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) {
            throw err(pos, "unexpected arguments to " + g.qualified());
          }
          return t;
        case "_codecs.encode":
          // protocol 2 writes bytes as _codecs.encode(text, 'latin1'): the reader decodes it
          if (a.size() != 2 || !(a.get(0) instanceof String text)
              || !(a.get(1) instanceof String enc)) {
            throw err(pos, "unexpected arguments to _codecs.encode");
          }
          return switch (enc.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "latin1", "latin_1", "iso8859_1" -> text.getBytes(StandardCharsets.ISO_8859_1);
            case "utf8", "utf_8" -> text.getBytes(StandardCharsets.UTF_8);
            default -> throw err(pos, "_codecs.encode with the encoding " + enc);
          };
        default:
          if (INERT.contains(g.qualified())) {
            return new Opaque(g.qualified(), new ArrayList<>(a), None.NONE);
          }
          throw err(pos, "calling " + g.qualified() + " is not allowed");
      }
    }

    /** A view's offset, size and stride: each >= 0, each size at most an array's length. */
    private void checkView(long offset, long[] size, long[] stride, int pos) {
      if (offset < 0) {
        throw err(pos, "tensor storage offset " + offset + " must be >= 0");
      }
      for (int k = 0; k < size.length; k++) {
        if (size[k] < 0 || size[k] > Checks.MAX_ARRAY_LENGTH) {
          throw err(pos, "tensor size " + tuple(size) + " must be >= 0 and at most "
              + Checks.MAX_ARRAY_LENGTH + " along each axis");
        }
        if (stride[k] < 0) {
          throw err(pos, "tensor stride " + tuple(stride) + " must be >= 0");
        }
      }
      if (Checks.product(size) > Checks.MAX_ARRAY_LENGTH) {
        throw err(pos, "tensor size " + tuple(size) + " has more elements than one array holds");
      }
    }

    private static String tuple(long[] v) {
      StringBuilder b = new StringBuilder("(");
      for (int k = 0; k < v.length; k++) {
        b.append(k == 0 ? "" : ", ").append(v[k]);
      }
      return b.append(v.length == 1 ? ",)" : ")").toString();
    }

    /**
     * A dict key as Python allows it: a hashable scalar, or a tuple of them (nested a few
     * levels), so that hashing it is bounded (a list may hold itself, hashing it would not end).
     */
    private Object key(Object k, int pos) {
      if (!hashable(k, 0)) {
        throw err(pos, "a dict key must be hashable (a string, number, None, bytes or a tuple"
            + " of them), got " + kind(k));
      }
      return k;
    }

    private static boolean hashable(Object k, int depth) {
      if (k instanceof Tuple t) {
        if (depth >= 8) {
          return false;
        }
        for (Object o : t.items()) {
          if (!hashable(o, depth + 1)) {
            return false;
          }
        }
        return true;
      }
      return k instanceof String || k instanceof Long || k instanceof Double
          || k instanceof Boolean || k instanceof None || k instanceof byte[]
          || k instanceof Global;
    }

    private List<Object> items(Object args, int pos) {
      if (!(args instanceof Tuple t)) {
        throw err(pos, "expected an argument tuple, got " + kind(args));
      }
      return t.items();
    }

    private long[] longs(Tuple t, int pos) {
      long[] r = new long[t.items().size()];
      for (int k = 0; k < r.length; k++) {
        if (!(t.items().get(k) instanceof Long l)) {
          throw err(pos, "expected integers in a tuple of " + t.items().size());
        }
        r[k] = l;
      }
      return r;
    }

    private Object longN(int n, int pos) {
      if (n < 0 || n > in.remaining()) {
        throw err(pos, "integer of " + n + " bytes runs past the end");
      }
      if (n > 8) {
        // only magic numbers and huge Python ints are this long: keep them as text-free data
        byte[] b = new byte[n];
        in.get(b);
        return new java.math.BigInteger(reverse(b)).toString();
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

    private static byte[] reverse(byte[] b) {
      byte[] r = new byte[b.length];
      for (int k = 0; k < b.length; k++) {
        r[k] = b[b.length - 1 - k];
      }
      return r;
    }

    private int length(long n, int pos) {
      if (n < 0 || n > in.remaining()) {
        throw err(pos, "a value of " + n + " bytes runs past the end");
      }
      return (int) n;
    }

    private String utf8(int n, int pos) {
      return new String(bytes(n, pos), StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n, int pos) {
      if (n < 0 || n > in.remaining()) {
        throw err(pos, "a value of " + n + " bytes runs past the end");
      }
      byte[] b = new byte[n];
      in.get(b);
      return b;
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

    private String string(Object o, int pos) {
      if (!(o instanceof String s)) {
        throw err(pos, "expected a string, got " + kind(o));
      }
      return s;
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
      if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
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
        throw err(pos, "APPEND to " + kind(o));
      }
      return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, int pos) {
      if (!(o instanceof Map<?, ?>)) {
        throw err(pos, "SETITEM on " + kind(o));
      }
      return (Map<Object, Object>) o;
    }

    private static String kind(Object o) {
      if (o == null || o == MARK) {
        return "nothing";
      }
      return o instanceof Global g ? g.qualified() : o.getClass().getSimpleName();
    }

    private FormatException err(int pos, String problem) {
      return FormatException.atOffset(src + " (data.pkl)", pos, problem);
    }
  }
}
