package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.FormatException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.training.Inflation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

class WeightsTest {
  @TempDir Path dir;

  /**
   * A 2D ViT checkpoint in DINO layout: {@link VitWeights#random} weights of the 2D network
   * without the head, and an RGB patch kernel {@code [e, 3, p, p]}; a {@code grid x grid}
   * position grid.
   */
  static Map<String, FloatTensor> dino2d(int e, int layers, int p, int grid, long seed) {
    VitArchitecture shapeSource = new VitArchitecture(e, layers, 1, p, 1, grid * p, grid * p);
    Map<String, FloatTensor> m = new LinkedHashMap<>();
    VitWeights.random(shapeSource, seed, 0.12).forEach((k, v) -> {
      if (!k.startsWith("head.")) {
        m.put(k, v);
      }
    });
    m.put("patch_embed.proj.weight", tensor(new int[] {e, 3, p, p}, new SplittableRandom(seed)));
    return m;
  }

  /** A lone tensor (not a network's weights) of values in [-0.2, 0.2). */
  static FloatTensor tensor(int[] s, SplittableRandom r) {
    long n = 1;
    for (int v : s) {
      n *= v;
    }
    float[] d = new float[(int) n];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (0.4 * (r.nextDouble() - 0.5));
    }
    return new FloatTensor(s, d);
  }

  @Test
  void safetensorsRoundTrip() {
    Map<String, FloatTensor> m = dino2d(8, 1, 4, 3, 1);
    Path f = dir.resolve("w.safetensors");
    SafeTensors.write(f, m, Map.of("epochs", "3", "note", "a \"quoted\" value"));
    SafeTensors.Contents c = SafeTensors.read(f);
    assertEquals(m, c.tensors());
    assertEquals("a \"quoted\" value", c.metadata().get("note"));
    assertEquals(m, PretrainedWeights.read(f));
  }

  @Test
  void safetensorsHalfAndCorruptHeaders() throws IOException {
    // hand-built file: one F16 tensor [2] = {1.5, -2}
    String header = "{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    long n = header.length();
    for (int k = 0; k < 8; k++) {
      b.write((int) (n >>> (8 * k)) & 0xff);
    }
    b.writeBytes(header.getBytes(StandardCharsets.UTF_8));
    b.writeBytes(new byte[] {0x00, 0x3e, 0x00, (byte) 0xc0});
    Path f = dir.resolve("h.safetensors");
    Files.write(f, b.toByteArray());
    assertArrayEquals(new float[] {1.5f, -2f}, SafeTensors.read(f).tensors().get("x").values());
    byte[] bad = b.toByteArray();
    bad[bad.length - 5 - 3] = '9'; // data_offsets end 4 -> 9: past the data
    Files.write(f, bad);
    FormatException ex = assertThrows(FormatException.class, () -> SafeTensors.read(f));
    assertTrue(ex.getMessage().contains("'x'"), ex.getMessage());
    Files.write(f, new byte[] {1, 2, 3});
    assertThrows(FormatException.class, () -> SafeTensors.read(f));
  }

  @Test
  void torchCheckpointFloatHalfAndWrapped() throws IOException {
    Map<String, FloatTensor> m = dino2d(8, 1, 4, 3, 2);
    Path f = dir.resolve("w.pth");
    TorchSaveWriter.write(f, m, false, null);
    assertEquals(m, PretrainedWeights.read(f));
    // DINO training checkpoints nest the weights (here with a module. prefix) under "teacher"
    Map<String, FloatTensor> prefixed = new LinkedHashMap<>();
    m.forEach((k, v) -> prefixed.put("module." + k, v));
    TorchSaveWriter.write(f, prefixed, false, "teacher");
    assertEquals(m, PretrainedWeights.read(f));
    // half precision storages: values rounded to halves by the writer
    TorchSaveWriter.write(f, m, true, null);
    Map<String, FloatTensor> h = PretrainedWeights.read(f);
    for (String k : m.keySet()) {
      float[] a = m.get(k).values();
      float[] c = h.get(k).values();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], c[i], 2e-3 * Math.max(1, Math.abs(a[i])), k);
      }
    }
  }

  /** Protocol-4 opcodes (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE) and a strided view. */
  @Test
  void torchCheckpointProtocolFourAndStridedView() throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(4);
    p.write(0x95);
    p.writeBytes(new byte[8]); // frame length (not checked)
    global4(p, "collections", "OrderedDict");
    p.write(')');
    p.write('R');
    p.write(0x94);
    p.write('(');
    short4(p, "w");
    global4(p, "torch._utils", "_rebuild_tensor_v2");
    p.write('(');
    p.write('(');
    short4(p, "storage");
    global4(p, "torch", "FloatStorage");
    short4(p, "0");
    short4(p, "cpu");
    p.write('K');
    p.write(6);
    p.write('t');
    p.write('Q');
    p.write('K');
    p.write(1); // storage offset 1
    p.write('K');
    p.write(2);
    p.write('K');
    p.write(2);
    p.write(0x86); // size (2, 2)
    p.write('K');
    p.write(1);
    p.write('K');
    p.write(2);
    p.write(0x86); // stride (1, 2): a transposed view
    p.write(0x89);
    p.write('N');
    p.write('t');
    p.write('R');
    p.write(0x94);
    p.write('u');
    p.write('.');
    Path f = dir.resolve("p4.pth");
    java.nio.ByteBuffer storage = java.nio.ByteBuffer.allocate(24)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      storage.putFloat(i);
    }
    try (java.io.OutputStream fo = Files.newOutputStream(f);
        java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(fo)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("ck/data.pkl"));
      zip.write(p.toByteArray());
      zip.closeEntry();
      zip.putNextEntry(new java.util.zip.ZipEntry("ck/data/0"));
      zip.write(storage.array());
      zip.closeEntry();
    }
    FloatTensor w = TorchCheckpoint.read(f).get("w");
    assertArrayEquals(new int[] {2, 2}, w.shape());
    assertArrayEquals(new float[] {1, 3, 2, 4}, w.values());
  }

  private static void short4(ByteArrayOutputStream p, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write(0x8c);
    p.write(b.length);
    p.writeBytes(b);
    p.write(0x94);
  }

  private static void global4(ByteArrayOutputStream p, String module, String name) {
    short4(p, module);
    short4(p, name);
    p.write(0x93);
    p.write(0x94);
  }

  @Test
  void torchCheckpointRefusesForeignGlobals() throws IOException {
    // the classic exploit: os.system("...") through REDUCE
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(2);
    p.writeBytes("cos\nsystem\n".getBytes(StandardCharsets.US_ASCII));
    p.writeBytes("X\u0004\0\0\0true".getBytes(StandardCharsets.ISO_8859_1));
    p.write(0x85);
    p.write('R');
    p.write('.');
    Path f = dir.resolve("evil.pth");
    TorchSaveWriter.writeRaw(f, p.toByteArray());
    FormatException ex = assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
    assertTrue(ex.getMessage().contains("os.system"), ex.getMessage());
    // other callables, whether through REDUCE or NEWOBJ, and look-alikes of allowed names
    for (String g : new String[] {"__builtin__\neval\n", "builtins\nexec\n",
        "torch\nload\n", "torch\nEvilStorage\n", "subprocess\nPopen\n",
        "argparse\nArgumentParser\n", "numpy\nload\n", "collections\ndefaultdict\n"}) {
      for (int op : new int[] {'R', 0x81}) {
        ByteArrayOutputStream q = new ByteArrayOutputStream();
        q.write(0x80);
        q.write(2);
        q.write('c');
        q.writeBytes(g.getBytes(StandardCharsets.US_ASCII));
        q.writeBytes("X\u0002\0\0\0ls".getBytes(StandardCharsets.ISO_8859_1));
        q.write(0x85);
        q.write(op);
        q.write('.');
        TorchSaveWriter.writeRaw(f, q.toByteArray());
        String name = g.replace('\n', '.').substring(0, g.length() - 1);
        FormatException e2 = assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
        assertTrue(e2.getMessage().contains("global " + name + " is not allowed"),
            e2.getMessage());
      }
    }
    // an allowed value class may be constructed, never called with code: an allowed rebuild
    // function is not constructible by NEWOBJ
    ByteArrayOutputStream q = new ByteArrayOutputStream();
    q.write(0x80);
    q.write(2);
    q.writeBytes("ctorch._utils\n_rebuild_tensor_v2\n".getBytes(StandardCharsets.US_ASCII));
    q.write(')');
    q.write(0x81);
    q.write('.');
    TorchSaveWriter.writeRaw(f, q.toByteArray());
    FormatException e3 = assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
    assertTrue(e3.getMessage().contains("constructing torch._utils._rebuild_tensor_v2 is not "
        + "allowed"), e3.getMessage());
    // truncated pickle
    TorchSaveWriter.writeRaw(f, new byte[] {(byte) 0x80, 2, '}'});
    assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
    Files.write(f, "not a zip".getBytes(StandardCharsets.US_ASCII));
    assertThrows(FormatException.class, () -> TorchCheckpoint.read(f));
  }

  /** An RGB patch kernel [e, 3, p, p] (e 1..4, p 1..3) and an odd depth 1..7 to inflate to. */
  record KernelCase(int e, int p, int depth, long seed) {}

  @Test
  void inflationRules() {
    Gen<KernelCase> cases = integers().between(1, 4).zip(integers().between(1, 3),
        integers().between(0, 3).map(h -> 1 + 2 * h), longs().all(), KernelCase::new);
    qt().withFixedSeed(4L).withExamples(100).forAll(cases).checkAssert(c -> {
      int pp = c.p() * c.p();
      int d = c.depth();
      FloatTensor k = tensor(new int[] {c.e(), 3, c.p(), c.p()}, new SplittableRandom(c.seed()));
      FloatTensor avg = PretrainedWeights.inflateKernel(k, d, Inflation.AVERAGE);
      FloatTensor ctr = PretrainedWeights.inflateKernel(k, d, Inflation.CENTER);
      assertArrayEquals(new int[] {c.e(), 1, d, c.p(), c.p()}, avg.shape());
      assertArrayEquals(new int[] {c.e(), 1, d, c.p(), c.p()}, ctr.shape());
      for (int o = 0; o < c.e(); o++) {
        for (int i = 0; i < pp; i++) {
          float sum = k.values()[(o * 3) * pp + i] + k.values()[(o * 3 + 1) * pp + i]
              + k.values()[(o * 3 + 2) * pp + i];
          for (int z = 0; z < d; z++) {
            assertEquals(sum / d, avg.values()[(o * d + z) * pp + i], 1e-6);
            assertEquals(z == d / 2 ? sum : 0, ctr.values()[(o * d + z) * pp + i], 1e-6);
          }
        }
      }
    });
  }

  /** Embedding width 1..4, a source grid 1..6 and a target grid 1..8 on each side. */
  record GridCase(int e, int inH, int inW, int outH, int outW, long seed) {}

  @Test
  void bicubicPositionEmbedding() {
    Gen<Integer> in = integers().between(1, 6);
    Gen<Integer> out = integers().between(1, 8);
    Gen<GridCase> cases = integers().between(1, 4).zip(in, in, out,
        (e, ih, iw, oh) -> new int[] {e, ih, iw, oh}).zip(out, longs().all(),
            (a, ow, seed) -> new GridCase(a[0], a[1], a[2], a[3], ow, seed));
    qt().withFixedSeed(5L).withExamples(100).forAll(cases).checkAssert(c -> {
      int e = c.e();
      int ih = c.inH();
      int iw = c.inW();
      float[] pos = tensor(new int[] {1 + ih * iw, e}, new SplittableRandom(c.seed())).values();
      // same grid: identity
      assertArrayEquals(pos, PositionEmbedding.resample(pos, e, ih, iw, ih, iw));
      // constants stay constant (the kernel weights sum to one)
      float[] k = new float[(1 + ih * iw) * e];
      java.util.Arrays.fill(k, 0.25f);
      for (float v : PositionEmbedding.resample(k, e, ih, iw, c.outH(), c.outW())) {
        assertEquals(0.25f, v, 1e-6);
      }
      // against a direct 4x4 evaluation of the bicubic formula at every output point
      float[] res = PositionEmbedding.resample(pos, e, ih, iw, c.outH(), c.outW());
      for (int y = 0; y < c.outH(); y++) {
        for (int x = 0; x < c.outW(); x++) {
          for (int ch = 0; ch < e; ch++) {
            double sy = (y + 0.5) * ih / c.outH() - 0.5;
            double sx = (x + 0.5) * iw / c.outW() - 0.5;
            double s = 0;
            for (int j = (int) Math.floor(sy) - 1; j <= (int) Math.floor(sy) + 2; j++) {
              for (int i = (int) Math.floor(sx) - 1; i <= (int) Math.floor(sx) + 2; i++) {
                int jj = Math.max(0, Math.min(ih - 1, j));
                int ii = Math.max(0, Math.min(iw - 1, i));
                s += keys(sy - j) * keys(sx - i) * pos[(1 + jj * iw + ii) * e + ch];
              }
            }
            assertEquals(s, res[(1 + y * c.outW() + x) * e + ch], 1e-5);
          }
        }
      }
      // the class token is kept
      assertArrayEquals(java.util.Arrays.copyOf(pos, e), java.util.Arrays.copyOf(res, e));
    });
  }

  /** Keys' cubic convolution kernel with a = -0.75, written as a function of distance. */
  private static double keys(double d) {
    double a = -0.75;
    double x = Math.abs(d);
    if (x <= 1) {
      return (a + 2) * x * x * x - (a + 3) * x * x + 1;
    }
    if (x < 2) {
      return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
    }
    return 0;
  }

  /** A block [n][D][H][W] flattened; optionally every slice equal to the first. */
  static float[] blocks(VitArchitecture c, int n, boolean identicalSlices, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int hw = c.tileHeight() * c.tileWidth();
    float[] x = new float[n * c.inputDepth() * hw];
    for (int b = 0; b < n; b++) {
      for (int z = 0; z < c.inputDepth(); z++) {
        for (int i = 0; i < hw; i++) {
          int at = (b * c.inputDepth() + z) * hw + i;
          x[at] = identicalSlices && z > 0 ? x[(b * c.inputDepth()) * hw + i]
              : (float) (r.nextDouble() * 2 - 1);
        }
      }
    }
    return x;
  }

  static float[] slice(VitArchitecture c, float[] x, int n, int z) {
    int hw = c.tileHeight() * c.tileWidth();
    float[] out = new float[n * hw];
    for (int b = 0; b < n; b++) {
      System.arraycopy(x, (b * c.inputDepth() + z) * hw, out, b * hw, hw);
    }
    return out;
  }

  @Test
  void centerInflationEqualsTheTwoDModelOnTheCentreSlice() throws IOException {
    Map<String, FloatTensor> ck = dino2d(16, 2, 4, 3, 7);
    Path f = dir.resolve("dino.pth");
    TorchSaveWriter.write(f, ck, false, null);
    VitArchitecture c3 = new VitArchitecture(16, 2, 2, 4, 5, 16, 12);
    VitArchitecture c2 = c3.withInputDepth(1);
    Map<String, FloatTensor> read = PretrainedWeights.read(f);
    try (VitModel m3 = VitModel.of(c3, PretrainedWeights.inflate(read, c3, Inflation.CENTER, 1));
        VitModel m2 = VitModel.of(c2, PretrainedWeights.inflate(read, c2, Inflation.CENTER, 1))) {
      float[] x = blocks(c3, 2, false, 3);
      assertClose(m2.predictLogits(slice(c3, x, 2, 2), 2), m3.predictLogits(x, 2));
    }
  }

  @Test
  void averageInflationEqualsTheTwoDModelOnIdenticalSlices() {
    Map<String, FloatTensor> ck = dino2d(16, 2, 4, 3, 8);
    Path f = dir.resolve("dino.safetensors");
    SafeTensors.write(f, ck, Map.of());
    VitArchitecture c3 = new VitArchitecture(16, 2, 2, 4, 3, 12, 12);
    VitArchitecture c2 = c3.withInputDepth(1);
    Map<String, FloatTensor> read = PretrainedWeights.read(f);
    try (VitModel m3 = VitModel.of(c3, PretrainedWeights.inflate(read, c3, Inflation.AVERAGE, 1));
        VitModel m2 = VitModel.of(c2, PretrainedWeights.inflate(read, c2, Inflation.AVERAGE, 1))) {
      float[] x = blocks(c3, 2, true, 4);
      assertClose(m2.predictLogits(slice(c3, x, 2, 0), 2), m3.predictLogits(x, 2));
      // and differing slices do change the output (the property is not vacuous)
      float[] y = blocks(c3, 2, false, 4);
      float[] a = m2.predictLogits(slice(c3, y, 2, 0), 2);
      float[] b = m3.predictLogits(y, 2);
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertTrue(max > 1e-3, "max difference " + max);
    }
  }

  @Test
  void badCheckpointsNameTheKey() {
    VitArchitecture c = new VitArchitecture(16, 2, 2, 4, 3, 12, 12);
    Map<String, FloatTensor> ck = dino2d(16, 2, 4, 3, 9);
    Map<String, FloatTensor> missing = new LinkedHashMap<>(ck);
    missing.remove("blocks.1.mlp.fc2.bias");
    ModelException ex = assertThrows(ModelException.class,
        () -> PretrainedWeights.inflate(missing, c, Inflation.CENTER, 1));
    assertTrue(ex.getMessage().contains("missing keys [blocks.1.mlp.fc2.bias]"), ex.getMessage());
    Map<String, FloatTensor> extra = new LinkedHashMap<>(ck);
    extra.put("blocks.2.norm1.weight", ck.get("blocks.1.norm1.weight"));
    extra.put("head.weight", tensor(new int[] {1000, 16}, new SplittableRandom(1)));
    ex = assertThrows(ModelException.class,
        () -> PretrainedWeights.inflate(extra, c, Inflation.CENTER, 1));
    assertTrue(ex.getMessage().contains("unexpected keys [blocks.2.norm1.weight]"),
        ex.getMessage());
    Map<String, FloatTensor> wrong = new LinkedHashMap<>(ck);
    wrong.put("blocks.0.attn.qkv.weight", tensor(new int[] {48, 8}, new SplittableRandom(1)));
    ex = assertThrows(ModelException.class,
        () -> PretrainedWeights.inflate(wrong, c, Inflation.AVERAGE, 1));
    assertTrue(ex.getMessage().contains("'blocks.0.attn.qkv.weight' has shape [48, 8]"),
        ex.getMessage());
    // a classification head alone is ignored
    Map<String, FloatTensor> withHead = new LinkedHashMap<>(ck);
    withHead.put("head.weight", tensor(new int[] {1000, 16}, new SplittableRandom(1)));
    assertEquals(c.weightShapes().keySet(),
        PretrainedWeights.inflate(withHead, c, Inflation.AVERAGE, 1).keySet());
  }

  static void assertClose(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    assertTrue(max < 1e-4, "max abs difference " + max);
  }
}
