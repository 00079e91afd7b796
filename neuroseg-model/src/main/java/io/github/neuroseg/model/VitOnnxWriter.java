package io.github.neuroseg.model;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.files.AtomicWrite;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.model.internal.OnnxGraph;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a neuroseg 3D ViT as an ONNX model: the single definition of the exported architecture.
 *
 * <p>Graph (opset {@value OnnxGraph#OPSET}), input {@code image} {@code [N, 1, D, H, W]} float32
 * with dynamic {@code N}, output {@code logits} {@code [N, 1, H, W]}, or, written with {@link
 * ModelContract.Output#PROBABILITIES}, output {@code probabilities} of the same shape: the logits
 * through a {@code Sigmoid} node, so that a segmenter need not apply it voxel by voxel. With {@code E} the embedding
 * width, {@code p} the patch, {@code T = (H/p)(W/p)}, and weights named and laid out as in
 * timm/DINO (linear weights {@code [out, in]} as in PyTorch, {@code y = x W^T + b}):
 *
 * <ol>
 *   <li>Patch embedding: a Conv3d with kernel = stride = {@code (D, p, p)}, weight {@code
 *       patch_embed.proj.weight [E, 1, D, p, p]} and bias {@code patch_embed.proj.bias [E]},
 *       giving {@code [N, E, 1, H/p, W/p]}, flattened to tokens {@code [N, T, E]} in row-major
 *       order (token {@code ty * (W/p) + tx}).
 *   <li>{@code cls_token [1, 1, E]} is prepended and {@code pos_embed [1, 1 + T, E]} (already at
 *       the tile's grid) added. With {@code R > 0} register tokens, {@code reg_token [1, R, E]}
 *       is inserted between the class token and the patch tokens after the position embedding
 *       is added (the registers get none), as DINOv2 does.
 *   <li>{@code L} pre-norm blocks {@code blocks.{i}.}: {@code x = x + attn(norm1(x))}, {@code x =
 *       x + mlp(norm2(x))}. LayerNorm over the last axis with eps 1e-6 ({@code norm1.weight,
 *       norm1.bias}, {@code norm2.*}). Attention: {@code qkv = x attn.qkv.weight^T +
 *       attn.qkv.bias} ({@code [3E, E]}, {@code [3E]}) split into q, k, v of width {@code E} in
 *       that order, each into {@code heads} heads of width {@code h = E / heads} (head {@code j}
 *       is columns {@code j h .. (j + 1) h - 1}); per head {@code softmax(q k^T / sqrt(h)) v};
 *       heads concatenated back in order and projected by {@code attn.proj.weight [E, E]} and
 *       bias. MLP: {@code mlp.fc1 [4E, E]} + bias, exact GELU {@code 0.5 x (1 + erf(x /
 *       sqrt(2)))}, {@code mlp.fc2 [E, 4E]} + bias. With LayerScale each branch's output is
 *       multiplied by {@code ls1.gamma [E]} (attention) or {@code ls2.gamma [E]} (MLP) before
 *       it is added.
 *   <li>Final LayerNorm {@code norm.weight, norm.bias} (eps 1e-6); the class token and the
 *       register tokens are dropped.
 *   <li>Head, {@link VitArchitecture.Head#LINEAR}: {@code head.weight [p*p, E]}, {@code
 *       head.bias [p*p]} per token, then pixel shuffle: token {@code (ty, tx)} channel {@code dy
 *       * p + dx} is pixel {@code (ty * p + dy, tx * p + dx)}; the result is {@code [N, 1, H,
 *       W]}. {@link VitArchitecture.Head#CONV}: the tokens as a map {@code [N, E, H/p, W/p]}
 *       through ONNX {@code ConvTranspose}, {@code Conv} and {@code Relu} nodes as that head
 *       describes, with weights {@code head.proj}, {@code head.up{i}}, {@code head.conv{i}},
 *       {@code head.skip}, {@code head.fuse} and {@code head.out} in PyTorch layouts (transposed
 *       convolutions {@code [in, out, k, k]}, convolutions {@code [out, in, k, k]}); the skip
 *       input is the centre slice of {@code image}.
 * </ol>
 *
 * <p>The metadata gets the architecture's keys from {@link
 * ModelContract#architectureMetadata(VitArchitecture)} ({@code neuroseg.format}, {@code
 * input_depth}, {@code tile_h}, {@code tile_w}, {@code patch}, {@code embed}, {@code layers},
 * {@code heads}, {@code head}, {@code layer_scale}, {@code registers}) and {@value
 * ModelContract#OUTPUT_KIND} ({@code logits} or {@code probabilities}); the caller must give
 * {@code normalization} and {@code threshold} and may add any provenance keys (see {@link
 * ModelContract}). Weights not used by the architecture (e.g. a DINO projection head) are
 * ignored.
 */
public final class VitOnnxWriter {
  private static final float LN_EPS = 1e-6f;

  private final boolean int8;

  private VitOnnxWriter(ModelContract.Precision precision) {
    this.int8 = precision == ModelContract.Precision.INT8;
  }

  /**
   * The ONNX model bytes of a model whose output holds logits ({@link
   * ModelContract.Output#LOGITS}, the output every neuroseg model had before {@value
   * ModelContract#OUTPUT_KIND} was recorded).
   *
   * @param weights every name of {@link VitArchitecture#weightShapes()} with exactly that shape
   * @param metadata at least {@code normalization} and {@code threshold}
   * @throws InvalidInputException naming the weight or metadata key that is missing or wrong
   */
  public static byte[] write(VitArchitecture spec, Map<String, FloatTensor> weights,
      Map<String, String> metadata) {
    return write(spec, weights, metadata, ModelContract.Output.LOGITS);
  }

  /**
   * The ONNX model bytes, with the given output: logits, or probabilities from a {@code Sigmoid}
   * node at the end of the graph (what training exports).
   *
   * @param weights every name of {@link VitArchitecture#weightShapes()} with exactly that shape
   * @param metadata at least {@code normalization} and {@code threshold}; an {@value
   *     ModelContract#OUTPUT_KIND} it holds must agree with {@code output}
   * @throws InvalidInputException naming the weight or metadata key that is missing or wrong
   */
  public static byte[] write(VitArchitecture spec, Map<String, FloatTensor> weights,
      Map<String, String> metadata, ModelContract.Output output) {
    return write(spec, weights, metadata, output, ModelContract.Precision.FLOAT32);
  }

  /**
   * The ONNX model bytes, with the given output and precision. {@link
   * ModelContract.Precision#INT8} quantises the weights of every transformer linear layer (qkv,
   * attention projection, MLP, the linear head) to 7-bit integers stored as int8, with one
   * scale {@code max|w| / 63} per output feature (7 bits, as ONNX Runtime's own quantiser does
   * with {@code reduce_range}, so that the uint8 x int8 products of CPUs without int8
   * dot-product instructions cannot saturate), and multiplies them with {@code
   * DynamicQuantizeLinear} and {@code MatMulInteger}: about a third of the size, at a small cost
   * in accuracy that the caller should measure on its data, and with the batch dependence
   * {@link ModelContract.Precision#INT8} describes. The metadata of a quantised model records
   * {@value ModelContract#PRECISION}.
   *
   * @param weights every name of {@link VitArchitecture#weightShapes()} with exactly that shape
   * @param metadata at least {@code normalization} and {@code threshold}; an {@value
   *     ModelContract#OUTPUT_KIND} or {@value ModelContract#PRECISION} it holds must agree
   * @throws InvalidInputException naming the weight or metadata key that is missing or wrong
   */
  public static byte[] write(VitArchitecture spec, Map<String, FloatTensor> weights,
      Map<String, String> metadata, ModelContract.Output output,
      ModelContract.Precision precision) {
    Map<String, String> md = metadata(spec, metadata, output);
    String given = md.get(ModelContract.PRECISION);
    if (given != null && ModelContract.Precision.parse(given) != precision) {
      throw new InvalidInputException("metadata " + ModelContract.PRECISION + "='" + given
          + "' contradicts the precision written (" + precision.spec() + ")");
    }
    if (precision != ModelContract.Precision.FLOAT32) {
      // float32 models keep the metadata they always had
      md.put(ModelContract.PRECISION, precision.spec());
    }
    checkWeights(spec, weights);
    return new VitOnnxWriter(precision).build(spec, weights, output).toBytes(md);
  }

  /**
   * Writes the model to {@code file} atomically (a temporary file in the same folder, then moved
   * into place), as {@link #write(VitArchitecture, Map, Map)}.
   *
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be written
   */
  public static void write(VitArchitecture spec, Map<String, FloatTensor> weights,
      Map<String, String> metadata, Path file) {
    write(spec, weights, metadata, ModelContract.Output.LOGITS, file);
  }

  /**
   * Writes the model to {@code file} atomically, as {@link #write(VitArchitecture, Map, Map,
   * ModelContract.Output)}.
   *
   * @throws io.github.neuroseg.NeuroSegIOException when the file cannot be written
   */
  public static void write(VitArchitecture spec, Map<String, FloatTensor> weights,
      Map<String, String> metadata, ModelContract.Output output, Path file) {
    byte[] bytes = write(spec, weights, metadata, output);
    AtomicWrite.write(file, temp -> Files.write(temp, bytes));
  }

  private static Map<String, String> metadata(VitArchitecture spec, Map<String, String> given,
      ModelContract.Output output) {
    Map<String, String> md = new LinkedHashMap<>(given);
    String kind = md.get(ModelContract.OUTPUT_KIND);
    if (kind != null && ModelContract.Output.parse(kind) != output) {
      throw new InvalidInputException("metadata " + ModelContract.OUTPUT_KIND + "='" + kind
          + "' contradicts the output written (" + output.spec() + ")");
    }
    md.put(ModelContract.OUTPUT_KIND, output.spec());
    ModelContract.architectureMetadata(spec).forEach((k, v) -> {
      String old = md.put(k, v);
      if (old != null && !old.strip().equals(v)) {
        throw new InvalidInputException("metadata " + k + "=" + Quote.quote(old)
            + " contradicts the architecture (" + v + ")");
      }
    });
    String norm = md.get(ModelContract.NORMALIZATION);
    if (norm == null) {
      throw new InvalidInputException("metadata must give '" + ModelContract.NORMALIZATION
          + "' (e.g. percentile:0.5,99.5): inference normalises intensities with it");
    }
    md.put(ModelContract.NORMALIZATION, Normalization.parse(norm).spec());
    String t = md.get(ModelContract.THRESHOLD);
    double threshold;
    try {
      threshold = t == null ? Double.NaN : Double.parseDouble(t.strip());
    } catch (NumberFormatException e) {
      threshold = Double.NaN;
    }
    if (!(threshold >= 0 && threshold <= 1)) {
      throw new InvalidInputException("metadata must give '" + ModelContract.THRESHOLD
          + "' as a number in [0, 1], got " + (t == null ? "none" : Quote.quote(t)));
    }
    return md;
  }

  private static void checkWeights(VitArchitecture spec, Map<String, FloatTensor> weights) {
    spec.weightShapes().forEach((name, shape) -> {
      FloatTensor t = weights.get(name);
      if (t == null) {
        throw new InvalidInputException("weight '" + name + "' " + Arrays.toString(shape)
            + " is missing for " + spec);
      }
      if (!Arrays.equals(t.shape(), shape)) {
        throw new InvalidInputException("weight '" + name + "' must have shape "
            + Arrays.toString(shape) + " for " + spec + ", got " + Arrays.toString(t.shape()));
      }
      for (int i = 0; i < t.values().length; i++) {
        if (!Float.isFinite(t.values()[i])) {
          throw new InvalidInputException("weight '" + name + "' has the non-finite value "
              + t.values()[i] + " at flat index " + i);
        }
      }
    });
  }

  private OnnxGraph build(VitArchitecture s, Map<String, FloatTensor> w,
      ModelContract.Output output) {
    int e = s.embedDim();
    int p = s.patch();
    OnnxGraph g = new OnnxGraph("neuroseg_vit3d");
    g.input(ModelContract.INPUT, new long[] {-1, 1, s.inputDepth(), s.tileHeight(),
        s.tileWidth()}, "N");
    g.output(output.tensorName(), new long[] {-1, 1, s.tileHeight(), s.tileWidth()}, "N");
    boolean logits = output == ModelContract.Output.LOGITS;

    String img = ModelContract.INPUT;
    String conv = g.node("Conv", new String[] {img, param(g, w, "patch_embed.proj.weight"),
        param(g, w, "patch_embed.proj.bias")},
        "kernel_shape", new long[] {s.inputDepth(), p, p},
        "strides", new long[] {s.inputDepth(), p, p});
    String flat = g.node("Reshape", new String[] {conv, g.longs(0, e, -1)});
    String tokens = g.node("Transpose", new String[] {flat}, "perm", new long[] {0, 2, 1});

    // class token broadcast to [N, 1, E]
    String n = g.node("Shape", new String[] {img}, "start", 0L, "end", 1L);
    String target = g.node("Concat", new String[] {n, g.longs(1, 1)}, "axis", 0L);
    String cls = g.node("Expand", new String[] {param(g, w, "cls_token"), target});
    String x;
    if (s.registers() == 0) {
      x = g.node("Concat", new String[] {cls, tokens}, "axis", 1L);
      x = g.node("Add", new String[] {x, param(g, w, "pos_embed")});
    } else {
      // the registers get no position embedding: add it to the class and patch tokens apart
      FloatTensor pos = w.get("pos_embed");
      float[] v = pos.values();
      String posCls = g.floats("pos_embed.cls", new long[] {1, 1, e},
          Arrays.copyOfRange(v, 0, e));
      String posPatches = g.floats("pos_embed.patches", new long[] {1, s.tokens(), e},
          Arrays.copyOfRange(v, e, v.length));
      String reg = g.node("Expand", new String[] {param(g, w, "reg_token"), target});
      x = g.node("Concat", new String[] {g.node("Add", new String[] {cls, posCls}), reg,
          g.node("Add", new String[] {tokens, posPatches})}, "axis", 1L);
    }

    for (int i = 0; i < s.layers(); i++) {
      String b = "blocks." + i + ".";
      String h = layerNorm(g, w, x, b + "norm1");
      h = attention(g, w, s, h, b + "attn.");
      if (s.layerScale()) {
        h = g.node("Mul", new String[] {h, param(g, w, b + "ls1.gamma")});
      }
      x = g.node("Add", new String[] {x, h});
      h = layerNorm(g, w, x, b + "norm2");
      h = linear(g, w, h, b + "mlp.fc1");
      h = gelu(g, h);
      h = linear(g, w, h, b + "mlp.fc2");
      if (s.layerScale()) {
        h = g.node("Mul", new String[] {h, param(g, w, b + "ls2.gamma")});
      }
      x = g.node("Add", new String[] {x, h});
    }
    x = layerNorm(g, w, x, "norm");
    x = g.node("Slice", new String[] {x, g.longs(s.prefixTokens()), g.longs(Long.MAX_VALUE),
        g.longs(1)});
    if (s.head() == VitArchitecture.Head.LINEAR) {
      x = linear(g, w, x, "head");
      // pixel shuffle [N, T, p*p] -> [N, H/p, W/p, p, p] -> [N, H/p, p, W/p, p] -> [N, 1, H, W]
      x = g.node("Reshape", new String[] {x, g.longs(0, s.gridHeight(), s.gridWidth(), p, p)});
      x = g.node("Transpose", new String[] {x}, "perm", new long[] {0, 1, 3, 2, 4});
      String[] in = {x, g.longs(0, 1, s.tileHeight(), s.tileWidth())};
      x = logits ? g.nodeNamed("Reshape", ModelContract.OUTPUT, in) : g.node("Reshape", in);
    } else {
      x = convDecoder(g, w, s, x, logits);
    }
    if (!logits) {
      g.nodeNamed("Sigmoid", ModelContract.PROBABILITIES, new String[] {x});
    }
    return g;
  }

  /**
   * The {@link VitArchitecture.Head#CONV} decoder from tokens {@code [N, T, E]} to the logits,
   * named {@value ModelContract#OUTPUT} when they are the output.
   */
  private String convDecoder(OnnxGraph g, Map<String, FloatTensor> w, VitArchitecture s,
      String tokens, boolean output) {
    // tokens in row-major grid order -> a feature map [N, E, H/p, W/p]
    String x = g.node("Transpose", new String[] {tokens}, "perm", new long[] {0, 2, 1});
    x = g.node("Reshape", new String[] {x, g.longs(0, s.embedDim(), s.gridHeight(),
        s.gridWidth())});
    int f = s.firstUpsampling();
    x = relu(g, transposedConv(g, w, x, "head.proj", f));
    for (int i = 1; i <= s.decoderStages(); i++) {
      x = relu(g, transposedConv(g, w, x, "head.up" + i, 2));
      x = relu(g, conv(g, w, x, "head.conv" + i, 3));
    }
    int d = s.inputDepth();
    String centre = g.node("Slice", new String[] {ModelContract.INPUT, g.longs(d / 2),
        g.longs(d / 2 + 1), g.longs(2)});
    centre = g.node("Squeeze", new String[] {centre, g.longs(2)});
    String skip = relu(g, conv(g, w, centre, "head.skip", 3));
    x = g.node("Concat", new String[] {x, skip}, "axis", 1L);
    x = relu(g, conv(g, w, x, "head.fuse", 3));
    String[] in = {x, param(g, w, "head.out.weight"), param(g, w, "head.out.bias")};
    return output ? g.nodeNamed("Conv", ModelContract.OUTPUT, in, "kernel_shape", new long[] {1, 1})
        : g.node("Conv", in, "kernel_shape", new long[] {1, 1});
  }

  /** A convolution of odd kernel size {@code k}, stride 1, padded to keep the size. */
  private static String conv(OnnxGraph g, Map<String, FloatTensor> w, String x, String prefix,
      int k) {
    long pad = k / 2;
    return g.node("Conv", new String[] {x, param(g, w, prefix + ".weight"),
        param(g, w, prefix + ".bias")}, "kernel_shape", new long[] {k, k},
        "pads", new long[] {pad, pad, pad, pad});
  }

  /** A transposed convolution with kernel = stride = {@code k}: each pixel becomes k x k. */
  private static String transposedConv(OnnxGraph g, Map<String, FloatTensor> w, String x,
      String prefix, int k) {
    return g.node("ConvTranspose", new String[] {x, param(g, w, prefix + ".weight"),
        param(g, w, prefix + ".bias")}, "kernel_shape", new long[] {k, k},
        "strides", new long[] {k, k});
  }

  private static String relu(OnnxGraph g, String x) {
    return g.node("Relu", new String[] {x});
  }

  private static String param(OnnxGraph g, Map<String, FloatTensor> w, String name) {
    FloatTensor t = w.get(name);
    return g.floats(name, t.dims(), t.values());
  }

  private static String layerNorm(OnnxGraph g, Map<String, FloatTensor> w, String x,
      String prefix) {
    return g.node("LayerNormalization", new String[] {x, param(g, w, prefix + ".weight"),
        param(g, w, prefix + ".bias")}, "axis", -1L, "epsilon", LN_EPS);
  }

  /** {@code x W^T + b} with the PyTorch {@code [out, in]} weight stored transposed. */
  private String linear(OnnxGraph g, Map<String, FloatTensor> w, String x, String prefix) {
    FloatTensor wt = w.get(prefix + ".weight");
    int out = wt.shape()[0];
    int in = wt.shape()[1];
    float[] t = new float[out * in];
    float[] v = wt.values();
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        t[i * out + o] = v[o * in + i];
      }
    }
    String y;
    if (int8) {
      y = int8MatMul(g, x, prefix, t, in, out);
    } else {
      y = g.node("MatMul", new String[] {x, g.floats(prefix + ".weight.T", new long[] {in, out},
          t)});
    }
    return g.node("Add", new String[] {y, param(g, w, prefix + ".bias")});
  }

  /**
   * {@code x W} with {@code W [in, out]} quantised per output column (symmetric, zero point 0)
   * and {@code x} quantised per tensor at run time; the int32 product is scaled back to float by
   * {@code x_scale * w_scale[column]}.
   */
  private static String int8MatMul(OnnxGraph g, String x, String prefix, float[] t, int in,
      int out) {
    float[] scale = new float[out];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        scale[o] = Math.max(scale[o], Math.abs(t[i * out + o]));
      }
    }
    for (int o = 0; o < out; o++) {
      // 7 bits: 255 * 63 * 2 fits the int16 pair sums of pre-VNNI x86 kernels
    // an all-zero column quantises to zeros with any scale; 1 keeps the division finite
      scale[o] = scale[o] == 0 ? 1f : scale[o] / 63f;
    }
    byte[] q = new byte[in * out];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        long r = Math.round(t[i * out + o] / scale[o]);
        q[i * out + o] = (byte) Math.max(-63, Math.min(63, r));
      }
    }
    String wq = g.int8s(prefix + ".weight.T.int8", new long[] {in, out}, q);
    String ws = g.floats(prefix + ".weight.T.scale", new long[] {out}, scale);
    // activations quantised per call: the scale spans the batch (see Precision.INT8)
    String[] xq = g.nodeWithOutputs("DynamicQuantizeLinear", 3, new String[] {x});
    String acc = g.node("MatMulInteger", new String[] {xq[0], wq, xq[2]});
    String s = g.node("Mul", new String[] {xq[1], ws});
    String f = g.node("Cast", new String[] {acc}, "to", 1L); // 1: FLOAT
    return g.node("Mul", new String[] {f, s});
  }

  private static String gelu(OnnxGraph g, String x) {
    String erf = g.node("Erf", new String[] {g.node("Div", new String[] {x,
        g.scalar((float) Math.sqrt(2))})});
    String onePlus = g.node("Add", new String[] {erf, g.scalar(1f)});
    return g.node("Mul", new String[] {g.node("Mul", new String[] {x, onePlus}),
        g.scalar(0.5f)});
  }

  private String attention(OnnxGraph g, Map<String, FloatTensor> w, VitArchitecture s,
      String x, String prefix) {
    int e = s.embedDim();
    int heads = s.heads();
    int hd = s.headDim();
    String qkv = linear(g, w, x, prefix + "qkv"); // [N, S, 3E]
    qkv = g.node("Reshape", new String[] {qkv, g.longs(0, 0, 3, heads, hd)});
    qkv = g.node("Transpose", new String[] {qkv}, "perm", new long[] {2, 0, 3, 1, 4});
    String q = g.node("Gather", new String[] {qkv, g.longScalar(0)}, "axis", 0L);
    String k = g.node("Gather", new String[] {qkv, g.longScalar(1)}, "axis", 0L);
    String v = g.node("Gather", new String[] {qkv, g.longScalar(2)}, "axis", 0L);
    String kt = g.node("Transpose", new String[] {k}, "perm", new long[] {0, 1, 3, 2});
    String scores = g.node("MatMul", new String[] {q, kt});
    scores = g.node("Mul", new String[] {scores, g.scalar((float) (1 / Math.sqrt(hd)))});
    String attn = g.node("Softmax", new String[] {scores}, "axis", -1L);
    String out = g.node("MatMul", new String[] {attn, v}); // [N, heads, S, hd]
    out = g.node("Transpose", new String[] {out}, "perm", new long[] {0, 2, 1, 3});
    out = g.node("Reshape", new String[] {out, g.longs(0, 0, e)});
    return linear(g, w, out, prefix + "proj");
  }
}
