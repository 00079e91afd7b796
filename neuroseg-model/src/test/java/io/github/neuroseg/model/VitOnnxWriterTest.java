package io.github.neuroseg.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.testing.Generators;
import io.github.neuroseg.training.VitArchitecture;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

class VitOnnxWriterTest {
  static final VitArchitecture TINY = new VitArchitecture(16, 2, 2, 4, 3, 16, 16);
  static final Map<String, String> META =
      Map.of("normalization", "percentile:0.5,99.5", "threshold", "0.5", "seed", "7");

  /** Random weights of the right shapes; LayerNorm scales near 1. */
  static Map<String, FloatTensor> randomWeights(VitArchitecture spec, long seed) {
    return VitWeights.random(spec, seed, 0.3);
  }

  // ------------------------------------------------------------ independent reference forward

  private static double[][] linear(double[][] x, FloatTensor wt, FloatTensor b) {
    int out = wt.shape()[0];
    int in = wt.shape()[1];
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++) {
      for (int o = 0; o < out; o++) {
        double s = b.values()[o];
        for (int i = 0; i < in; i++) {
          s += (double) wt.values()[o * in + i] * x[t][i];
        }
        y[t][o] = s;
      }
    }
    return y;
  }

  private static double[][] layerNorm(double[][] x, FloatTensor g, FloatTensor b) {
    double[][] y = new double[x.length][];
    for (int t = 0; t < x.length; t++) {
      int e = x[t].length;
      double mean = 0;
      for (double v : x[t]) {
        mean += v;
      }
      mean /= e;
      double var = 0;
      for (double v : x[t]) {
        var += (v - mean) * (v - mean);
      }
      var /= e;
      y[t] = new double[e];
      for (int i = 0; i < e; i++) {
        y[t][i] = (x[t][i] - mean) / Math.sqrt(var + 1e-6) * g.values()[i] + b.values()[i];
      }
    }
    return y;
  }

  private static double erf(double x) {
    // series / continued fraction accurate to ~1e-15 is overkill; Abramowitz-Stegun 7.1.26 is
    // only 1e-7, so integrate exp(-t^2) with Simpson's rule instead (exact enough for 1e-4)
    int n = 2000;
    double h = x / n;
    double s = 1 + Math.exp(-x * x);
    for (int i = 1; i < n; i++) {
      double t = i * h;
      s += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
    }
    return 2 / Math.sqrt(Math.PI) * s * h / 3;
  }

  /** A linear layer {@code x W^T + b} of the reference. */
  interface Linear {
    double[][] apply(double[][] x, FloatTensor wt, FloatTensor b);
  }

  /**
   * The linear layer of an int8 model as the ONNX operators define it, for one block: weights
   * quantised per output feature (symmetric, 7 bits, {@code max|w| / 63}), activations by {@code
   * DynamicQuantizeLinear} (uint8, range including 0, scale {@code (max - min) / 255}, rounding
   * half to even), integer products, scaled back.
   */
  static double[][] int8Linear(double[][] x, FloatTensor wt, FloatTensor b) {
    int out = wt.shape()[0];
    int in = wt.shape()[1];
    float[] v = wt.values();
    float[] ws = new float[out];
    int[][] wq = new int[out][in];
    for (int o = 0; o < out; o++) {
      float max = 0;
      for (int i = 0; i < in; i++) {
        max = Math.max(max, Math.abs(v[o * in + i]));
      }
      ws[o] = max == 0 ? 1f : max / 63f;
      for (int i = 0; i < in; i++) {
        wq[o][i] = (int) Math.max(-63, Math.min(63, Math.rint(v[o * in + i] / ws[o])));
      }
    }
    float lo = 0;
    float hi = 0;
    for (double[] row : x) {
      for (double d : row) {
        lo = Math.min(lo, (float) d);
        hi = Math.max(hi, (float) d);
      }
    }
    float xs = (hi - lo) / 255f;
    int zp = (int) Math.max(0, Math.min(255, Math.rint(-lo / xs)));
    double[][] y = new double[x.length][out];
    for (int t = 0; t < x.length; t++) {
      int[] q = new int[in];
      for (int i = 0; i < in; i++) {
        q[i] = (int) Math.max(0, Math.min(255, Math.rint((float) x[t][i] / xs) + zp));
      }
      for (int o = 0; o < out; o++) {
        long acc = 0;
        for (int i = 0; i < in; i++) {
          acc += (long) (q[i] - zp) * wq[o][i];
        }
        y[t][o] = acc * (double) (xs * ws[o]) + b.values()[o];
      }
    }
    return y;
  }

  static float[] reference(VitArchitecture s, Map<String, FloatTensor> w, float[] img) {
    return reference(s, w, img, VitOnnxWriterTest::linear);
  }

  static float[] reference(VitArchitecture s, Map<String, FloatTensor> w, float[] img,
      Linear linear) {
    double[][] tokens = tokens(s, w, img, linear);
    return s.head() == VitArchitecture.Head.LINEAR ? linearHead(s, w, tokens, linear)
        : ConvDecoderReference.decode(s, w, tokens, img);
  }

  /** The patch tokens after the final norm, {@code [T][E]}, of one block {@code img}. */
  static double[][] tokens(VitArchitecture s, Map<String, FloatTensor> w, float[] img) {
    return tokens(s, w, img, VitOnnxWriterTest::linear);
  }

  private static double[][] tokens(VitArchitecture s, Map<String, FloatTensor> w, float[] img,
      Linear linear) {
    int e = s.embedDim();
    int p = s.patch();
    int gh = s.gridHeight();
    int gw = s.gridWidth();
    int hh = s.tileHeight();
    int ww = s.tileWidth();
    int d = s.inputDepth();
    double[][] x = new double[1 + s.tokens()][e];
    float[] pw = w.get("patch_embed.proj.weight").values();
    for (int ty = 0; ty < gh; ty++) {
      for (int tx = 0; tx < gw; tx++) {
        for (int c = 0; c < e; c++) {
          double v = w.get("patch_embed.proj.bias").values()[c];
          for (int z = 0; z < d; z++) {
            for (int dy = 0; dy < p; dy++) {
              for (int dx = 0; dx < p; dx++) {
                v += pw[(((c * d) + z) * p + dy) * p + dx]
                    * img[(z * hh + ty * p + dy) * ww + tx * p + dx];
              }
            }
          }
          x[1 + ty * gw + tx][c] = v;
        }
      }
    }
    for (int c = 0; c < e; c++) {
      x[0][c] = w.get("cls_token").values()[c];
    }
    float[] pos = w.get("pos_embed").values();
    for (int t = 0; t < x.length; t++) {
      for (int c = 0; c < e; c++) {
        x[t][c] += pos[t * e + c];
      }
    }
    int hd = s.headDim();
    for (int i = 0; i < s.layers(); i++) {
      String b = "blocks." + i + ".";
      double[][] h = layerNorm(x, w.get(b + "norm1.weight"), w.get(b + "norm1.bias"));
      double[][] qkv = linear.apply(h, w.get(b + "attn.qkv.weight"), w.get(b + "attn.qkv.bias"));
      double[][] cat = new double[x.length][e];
      for (int head = 0; head < s.heads(); head++) {
        for (int a = 0; a < x.length; a++) {
          double[] sc = new double[x.length];
          double max = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < x.length; c++) {
            double dot = 0;
            for (int j = 0; j < hd; j++) {
              dot += qkv[a][head * hd + j] * qkv[c][e + head * hd + j];
            }
            sc[c] = dot / Math.sqrt(hd);
            max = Math.max(max, sc[c]);
          }
          double sum = 0;
          for (int c = 0; c < x.length; c++) {
            sc[c] = Math.exp(sc[c] - max);
            sum += sc[c];
          }
          for (int j = 0; j < hd; j++) {
            double v = 0;
            for (int c = 0; c < x.length; c++) {
              v += sc[c] / sum * qkv[c][2 * e + head * hd + j];
            }
            cat[a][head * hd + j] = v;
          }
        }
      }
      double[][] att = linear.apply(cat, w.get(b + "attn.proj.weight"), w.get(b + "attn.proj.bias"));
      for (int t = 0; t < x.length; t++) {
        for (int c = 0; c < e; c++) {
          x[t][c] += att[t][c];
        }
      }
      h = layerNorm(x, w.get(b + "norm2.weight"), w.get(b + "norm2.bias"));
      h = linear.apply(h, w.get(b + "mlp.fc1.weight"), w.get(b + "mlp.fc1.bias"));
      for (double[] row : h) {
        for (int c = 0; c < row.length; c++) {
          row[c] = 0.5 * row[c] * (1 + erf(row[c] / Math.sqrt(2)));
        }
      }
      h = linear.apply(h, w.get(b + "mlp.fc2.weight"), w.get(b + "mlp.fc2.bias"));
      for (int t = 0; t < x.length; t++) {
        for (int c = 0; c < e; c++) {
          x[t][c] += h[t][c];
        }
      }
    }
    x = layerNorm(x, w.get("norm.weight"), w.get("norm.bias"));
    return java.util.Arrays.copyOfRange(x, 1, x.length);
  }

  private static float[] linearHead(VitArchitecture s, Map<String, FloatTensor> w,
      double[][] tokens, Linear linear) {
    int p = s.patch();
    int gh = s.gridHeight();
    int gw = s.gridWidth();
    int hh = s.tileHeight();
    int ww = s.tileWidth();
    double[][] head = linear.apply(tokens, w.get("head.weight"), w.get("head.bias"));
    float[] out = new float[hh * ww];
    for (int ty = 0; ty < gh; ty++) {
      for (int tx = 0; tx < gw; tx++) {
        for (int dy = 0; dy < p; dy++) {
          for (int dx = 0; dx < p; dx++) {
            out[(ty * p + dy) * ww + tx * p + dx] = (float) head[ty * gw + tx][dy * p + dx];
          }
        }
      }
    }
    return out;
  }

  /** An architecture with weights and a batch of inputs for it. */
  record Case(VitArchitecture arch, long weightSeed, int batch, long inputSeed) {}

  static Gen<Case> cases() {
    return Generators.vitArchitectures(2).zip(longs().all(), integers().between(1, 3),
        longs().all(), Case::new);
  }

  /** ONNX Runtime's logits for a batch of inputs of the model written for the weights. */
  private static float[] runOnnx(byte[] model, VitArchitecture a, float[] in, int n)
      throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in),
            new long[] {n, 1, a.inputDepth(), a.tileHeight(), a.tileWidth()});
        OrtSession.Result res = session.run(Map.of("image", t))) {
      OnnxTensor out = (OnnxTensor) res.get("logits").orElseThrow();
      assertArrayEquals(new long[] {n, 1, a.tileHeight(), a.tileWidth()},
          out.getInfo().getShape());
      float[] got = new float[n * a.tileHeight() * a.tileWidth()];
      out.getFloatBuffer().get(got);
      return got;
    }
  }

  private static float[] inputs(VitArchitecture a, int n, long seed) {
    float[] in = new float[n * a.inputDepth() * a.tileHeight() * a.tileWidth()];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) r.nextGaussian();
    }
    return in;
  }

  private static double maxDiff(VitArchitecture a, Map<String, FloatTensor> w, float[] in,
      float[] got, int n) {
    int per = a.inputDepth() * a.tileHeight() * a.tileWidth();
    int hw = a.tileHeight() * a.tileWidth();
    double maxDiff = 0;
    for (int b = 0; b < n; b++) {
      float[] ref = reference(a, w, java.util.Arrays.copyOfRange(in, b * per, (b + 1) * per));
      for (int i = 0; i < hw; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[b * hw + i]));
      }
    }
    return maxDiff;
  }

  /** Generated architectures, weights and inputs (their values seeded, their sizes generated). */
  @Test
  void onnxRuntimeAgreesWithAPlainJavaForwardPass() {
    qt().withFixedSeed(0x0A11_2026L).withExamples(20).forAll(cases()).checkAssert(c -> {
      VitArchitecture a = c.arch();
      Map<String, FloatTensor> w = randomWeights(a, c.weightSeed());
      float[] in = inputs(a, c.batch(), c.inputSeed());
      try {
        float[] got = runOnnx(VitOnnxWriter.write(a, w, META), a, in, c.batch());
        double diff = maxDiff(a, w, in, got, c.batch());
        assertTrue(diff <= 1e-4, "max abs diff " + diff);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  /**
   * The int8 model computes what the ONNX quantisation operators define (an independent Java
   * emulation, one block per call so that the per-call activation scale is the block's), stays
   * close to the float model, is smaller, and says so in its metadata.
   */
  @Test
  void int8ModelsFollowTheQuantisationOperators() {
    // widths below 8 put rounding ties (LayerNorm over two values is +-1) at the mercy of the
    // last bit, where float32 and the double reference may round apart
    qt().withFixedSeed(0x1A78_2026L).withExamples(8).forAll(cases())
        .assuming(c -> c.arch().embedDim() >= 8).checkAssert(c -> {
      VitArchitecture a = c.arch();
      Map<String, FloatTensor> w = randomWeights(a, c.weightSeed());
      float[] in = inputs(a, 1, c.inputSeed());
      try {
        byte[] q8 = VitOnnxWriter.write(a, w, META, ModelContract.Output.LOGITS,
            ModelContract.Precision.INT8);
        float[] got = runOnnx(q8, a, in, 1);
        float[] emulated = reference(a, w, in, VitOnnxWriterTest::int8Linear);
        float[] exact = reference(a, w, in);
        double toEmulation = 0;
        double toFloat = 0;
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
          toEmulation += Math.abs(got[i] - emulated[i]) / got.length;
          toFloat += Math.abs(got[i] - exact[i]) / got.length;
          scale = Math.max(scale, Math.abs(exact[i]));
        }
        // quantisation happened, and the graph does what the operators define, not something
        // merely close to float
        String what = a + ": mean |int8 - emulation| " + toEmulation + ", |int8 - float| "
            + toFloat + ", max |float| " + scale;
        assertTrue(toFloat > 1e-6, what);
        assertTrue(toEmulation < 0.2 * toFloat, what);
        assertTrue(toFloat <= 0.05 * Math.max(1e-3, scale), what);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    // the linear weights dominate a model of useful width: int8 stores them in a quarter
    VitArchitecture wide = new VitArchitecture(96, 2, 4, 4, 3, 16, 16);
    Map<String, FloatTensor> ww = randomWeights(wide, 3);
    int f32 = VitOnnxWriter.write(wide, ww, META).length;
    int i8 = VitOnnxWriter.write(wide, ww, META, ModelContract.Output.LOGITS,
        ModelContract.Precision.INT8).length;
    assertTrue(i8 < 0.4 * f32, i8 + " bytes int8 against " + f32 + " float32");
    Map<String, FloatTensor> w = randomWeights(TINY, 3);
    byte[] q8 = VitOnnxWriter.write(TINY, w, META, ModelContract.Output.PROBABILITIES,
        ModelContract.Precision.INT8);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(q8, new OrtSession.SessionOptions())) {
      Map<String, String> md = session.getMetadata().getCustomMetadata();
      assertEquals("int8", md.get(ModelContract.PRECISION));
      assertEquals("probabilities", md.get(ModelContract.OUTPUT_KIND));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertFalse(new String(VitOnnxWriter.write(TINY, w, META),
        java.nio.charset.StandardCharsets.ISO_8859_1).contains(ModelContract.PRECISION),
        "float32 models keep their metadata");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> VitOnnxWriter.write(TINY, w, Map.of("normalization", "minmax", "threshold", "0.5",
            "precision", "float32"), ModelContract.Output.LOGITS, ModelContract.Precision.INT8));
    assertTrue(e.getMessage().contains("precision"), e.getMessage());
  }

  @Test
  void theTinyModelsOutputAndContract() throws Exception {
    Map<String, FloatTensor> w = randomWeights(TINY, 11);
    byte[] model = VitOnnxWriter.write(TINY, w, META);
    float[] in = inputs(TINY, 3, 5);
    float[] got = runOnnx(model, TINY, in, 3);
    assertTrue(maxDiff(TINY, w, in, got, 3) <= 1e-4);
    // the output is not trivially small: the comparison means something
    float maxAbs = 0;
    for (float v : got) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    assertTrue(maxAbs > 0.1, "logits " + maxAbs);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
      NodeInfo info = session.getInputInfo().get("image");
      assertArrayEquals(new long[] {-1, 1, 3, 16, 16}, ((TensorInfo) info.getInfo()).getShape());
      Map<String, String> md = session.getMetadata().getCustomMetadata();
      assertEquals("1", md.get(ModelContract.FORMAT));
      assertEquals("3", md.get(ModelContract.INPUT_DEPTH));
      assertEquals("16", md.get(ModelContract.TILE_H));
      assertEquals("4", md.get(ModelContract.PATCH));
      assertEquals("7", md.get("seed"));
    }
  }

  @Test
  void badWeightsAndMetadataAreNamed() {
    Map<String, FloatTensor> w = new HashMap<>(randomWeights(TINY, 1));
    w.put("blocks.1.attn.qkv.weight", new FloatTensor(new int[] {16, 48}, new float[768]));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> VitOnnxWriter.write(TINY, w, META));
    assertTrue(e.getMessage().contains("blocks.1.attn.qkv.weight")
        && e.getMessage().contains("[48, 16]"), e.getMessage());
    w.remove("blocks.1.attn.qkv.weight");
    e = assertThrows(InvalidInputException.class, () -> VitOnnxWriter.write(TINY, w, META));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());

    Map<String, FloatTensor> ok = randomWeights(TINY, 1);
    e = assertThrows(InvalidInputException.class,
        () -> VitOnnxWriter.write(TINY, ok, Map.of("threshold", "0.5")));
    assertTrue(e.getMessage().contains("normalization"), e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> VitOnnxWriter.write(TINY, ok,
        Map.of("threshold", "0.5", "normalization", "minmax", "tile_h", "32")));
    assertTrue(e.getMessage().contains("tile_h"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(16, 1, 3, 4, 3, 16, 16));
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(16, 1, 2, 4, 4, 16, 16));
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(16, 1, 2, 5, 3, 16, 16));
  }

  @Test
  void writesFilesAtomically(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("m.onnx");
    Map<String, FloatTensor> w = randomWeights(TINY, 2);
    VitOnnxWriter.write(TINY, w, META, f);
    assertArrayEquals(VitOnnxWriter.write(TINY, w, META), Files.readAllBytes(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
    Map<String, FloatTensor> bad = new HashMap<>(w);
    bad.remove("head.bias");
    Path g = dir.resolve("bad.onnx");
    assertThrows(InvalidInputException.class, () -> VitOnnxWriter.write(TINY, bad, META, g));
    assertFalse(Files.exists(g));
  }
}
