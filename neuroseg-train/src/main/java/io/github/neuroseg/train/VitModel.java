package io.github.neuroseg.train;

import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitWeights;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 3D slice-segmentation Vision Transformer in DJL (PyTorch engine, CPU or CUDA).
 *
 * <p>Computation, for a block {@code [N, 1, D, H, W]}:
 *
 * <ol>
 *   <li>Patch embedding: a Conv3d with kernel = stride = {@code (D, p, p)} ({@code
 *       patch_embed.proj.weight [E, 1, D, p, p]}, bias {@code [E]}), giving {@code T = (H/p)(W/p)}
 *       tokens in row-major order (token row, then column);
 *   <li>the class token {@code cls_token [1, 1, E]} is prepended and {@code pos_embed [1, 1 + T,
 *       E]} added; with register tokens, {@code reg_token [1, R, E]} is then inserted after the
 *       class token (without position embedding);
 *   <li>{@code L} pre-norm blocks {@code blocks.i}: {@code x += attn(norm1(x)); x +=
 *       mlp(norm2(x))} with LayerNorm eps 1e-6, fused {@code attn.qkv} split into q, k, v and
 *       heads of width {@code E / heads}, {@code softmax(q k^T / sqrt(E / heads)) v}, {@code
 *       attn.proj}; MLP {@code fc1 [4E, E]}, exact (erf) GELU, {@code fc2 [E, 4E]}; with
 *       LayerScale the two branch outputs are multiplied by {@code ls1.gamma} and {@code
 *       ls2.gamma} before they are added;
 *   <li>final {@code norm}; the class token and the registers are dropped; the head gives logits {@code [N, 1, H,
 *       W]} of the centre slice: {@link VitArchitecture.Head#LINEAR} maps each token by {@code
 *       head [p*p, E]} to the {@code p x p} pixels it covers (token {@code (ty, tx)}, channel
 *       {@code dy * p + dx} goes to pixel {@code (ty * p + dy, tx * p + dx)}); {@link
 *       VitArchitecture.Head#CONV} is the convolutional decoder that head describes, with the
 *       centre slice of the input as its skip connection.
 * </ol>
 *
 * <p>Parameters carry timm / DINO names and PyTorch layouts (linear weights {@code [out, in]}),
 * see {@link VitArchitecture#weightShapes()}. A model is mutable (training updates it in place) and
 * not thread-safe; it owns native memory and must be closed.
 */
final class VitModel implements AutoCloseable {
  private final VitArchitecture config;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private boolean closed;

  private VitModel(VitArchitecture config, Map<String, FloatTensor> weights,
      ai.djl.Device device) {
    this.config = config;
    StateDicts.checkExact(config.weightShapes(), weights, "model weights");
    this.manager = NDManager.newBaseManager(device, "PyTorch");
    Map<String, NDArray> m = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : config.weightShapes().entrySet()) {
      FloatTensor t = weights.get(e.getKey());
      NDArray a = manager.create(t.values(), new Shape(t.dims()));
      a.setName(e.getKey());
      m.put(e.getKey(), a);
    }
    this.params = Collections.unmodifiableMap(m);
  }

  /**
   * A model with exactly these weights (every parameter present with its shape, nothing else).
   *
   * @throws ModelException naming the missing, unexpected or wrongly shaped parameters
   */
  static VitModel of(VitArchitecture config, Map<String, FloatTensor> weights) {
    return new VitModel(config, weights, ai.djl.Device.cpu());
  }

  /**
   * A model with exactly these weights on a DJL device (the CPU or a GPU).
   *
   * @throws ModelException naming the missing, unexpected or wrongly shaped parameters
   */
  static VitModel of(VitArchitecture config, Map<String, FloatTensor> weights,
      ai.djl.Device device) {
    return new VitModel(config, weights, device);
  }

  /** A freshly initialised model ({@link VitWeights#initial}), deterministic for the seed. */
  static VitModel create(VitArchitecture config, long seed) {
    return new VitModel(config, VitWeights.initial(config, seed), ai.djl.Device.cpu());
  }

  /** The network size. */
  VitArchitecture config() {
    return config;
  }

  /** The live parameters by name (the model owns them; do not close them). */
  Map<String, NDArray> parameters() {
    checkOpen();
    return params;
  }

  /** A copy of the current weights by timm name, in {@link VitArchitecture#weightShapes()} order. */
  Map<String, FloatTensor> weights() {
    checkOpen();
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      out.put(e.getKey(),
          FloatTensor.of(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    return out;
  }

  /**
   * Replaces all weights in place.
   *
   * @throws ModelException naming the missing, unexpected or wrongly shaped parameters
   */
  void setWeights(Map<String, FloatTensor> weights) {
    checkOpen();
    StateDicts.checkExact(config.weightShapes(), weights, "model weights");
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      e.getValue().set(weights.get(e.getKey()).values());
    }
  }

  /**
   * Logits of the centre slices of {@code n} blocks, without gradients.
   *
   * @param blocks {@code n * D * H * W} values laid out {@code [n, 1, D, H, W]} (x fastest)
   * @param n number of blocks
   * @return {@code n * H * W} logits laid out {@code [n, 1, H, W]}
   * @throws InvalidInputException when the length does not match
   */
  float[] predictLogits(float[] blocks, int n) {
    checkOpen();
    long per = (long) config.inputDepth() * config.tileHeight() * config.tileWidth();
    if (n <= 0 || blocks.length != per * n) {
      throw new InvalidInputException("expected " + n + " blocks of " + config.inputDepth()
          + " x " + config.tileHeight() + " x " + config.tileWidth() + " = " + per * n
          + " values, got " + blocks.length);
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(blocks, new Shape(n, 1, config.inputDepth(), config.tileHeight(),
          config.tileWidth()));
      return forward(x).toFloatArray();
    }
  }

  /**
   * The forward pass on a DJL array {@code [N, 1, D, H, W]}; intermediate arrays belong to the
   * input's manager (close it to free them). Records gradients inside a gradient collector.
   *
   * @return logits {@code [N, 1, H, W]}
   * @throws InvalidInputException when the input shape does not fit the configuration
   */
  NDArray forward(NDArray input) {
    checkOpen();
    long[] s = input.getShape().getShape();
    int d = config.inputDepth();
    int h = config.tileHeight();
    int w = config.tileWidth();
    if (s.length != 5 || s[1] != 1 || s[2] != d || s[3] != h || s[4] != w) {
      throw new InvalidInputException("expected a block [N, 1, " + d + ", " + h + ", " + w
          + "], got " + Arrays.toString(s));
    }
    NDManager scope = input.getManager();
    long n = s[0];
    int p = config.patch();
    int gh = config.gridHeight();
    int gw = config.gridWidth();
    int e = config.embedDim();
    // Conv3d with kernel = stride is a matrix product over (depth, dy, dx) per patch
    NDArray patches = input.reshape(n, d, gh, p, gw, p).transpose(0, 2, 4, 1, 3, 5)
        .reshape(n, (long) gh * gw, (long) d * p * p);
    NDArray kernel = local(scope, p("patch_embed.proj.weight").reshape(e, (long) d * p * p)
        .transpose());
    NDArray x = patches.matMul(kernel).add(p("patch_embed.proj.bias"));
    NDArray cls = local(scope, p("cls_token").broadcast(n, 1, e));
    x = NDArrays.concat(new NDList(cls, x), 1).add(p("pos_embed"));
    int r = config.registers();
    if (r > 0) {
      // registers go between the class and the patch tokens, without position embedding
      NDArray reg = local(scope, p("reg_token").broadcast(n, r, e));
      x = NDArrays.concat(new NDList(x.get(new NDIndex(":, :1, :")), reg,
          x.get(new NDIndex(":, 1:, :"))), 1);
    }
    for (int i = 0; i < config.layers(); i++) {
      String b = "blocks." + i + ".";
      NDArray a = attention(scope, layerNorm(x, b + "norm1"), b + "attn", n);
      x = x.add(config.layerScale() ? a.mul(p(b + "ls1.gamma")) : a);
      NDArray hidden =
          Activation.gelu(linear(scope, layerNorm(x, b + "norm2"), b + "mlp.fc1"));
      NDArray m = linear(scope, hidden, b + "mlp.fc2");
      x = x.add(config.layerScale() ? m.mul(p(b + "ls2.gamma")) : m);
    }
    x = layerNorm(x, "norm").get(new NDIndex(":, " + config.prefixTokens() + ":, :"));
    if (config.head() == VitArchitecture.Head.LINEAR) {
      NDArray pix = linear(scope, x, "head");
      return pix.reshape(n, gh, gw, p, p).transpose(0, 1, 3, 2, 4).reshape(n, 1, h, w);
    }
    return convDecoder(input, x.transpose(0, 2, 1).reshape(n, e, gh, gw));
  }

  /** The {@link VitArchitecture.Head#CONV} decoder on the token map {@code [N, E, H/p, W/p]}. */
  private NDArray convDecoder(NDArray input, NDArray map) {
    NDArray f = Activation.relu(transposedConv(map, "head.proj", config.firstUpsampling()));
    for (int i = 1; i <= config.decoderStages(); i++) {
      f = Activation.relu(transposedConv(f, "head.up" + i, 2));
      f = Activation.relu(conv(f, "head.conv" + i, 1));
    }
    NDArray centre = input.get(new NDIndex(":, :, " + config.inputDepth() / 2 + ", :, :"));
    NDArray skip = Activation.relu(conv(centre, "head.skip", 1));
    f = Activation.relu(conv(NDArrays.concat(new NDList(f, skip), 1), "head.fuse", 1));
    return conv(f, "head.out", 0);
  }

  private NDArray conv(NDArray x, String prefix, int pad) {
    return Conv2d.conv2d(x, p(prefix + ".weight"), p(prefix + ".bias"), new Shape(1, 1),
        new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
  }

  /**
   * A transposed convolution with kernel = stride = {@code k} (weight {@code [C, O, k, k]}): no
   * two input pixels overlap, so it is a matrix product per pixel followed by a pixel shuffle
   * (DJL's PyTorch engine has no transposed convolution).
   */
  private NDArray transposedConv(NDArray x, String prefix, int k) {
    NDManager scope = x.getManager();
    long[] s = x.getShape().getShape();
    long n = s[0];
    long c = s[1];
    long h = s[2];
    long w = s[3];
    NDArray weight = p(prefix + ".weight");
    long o = weight.getShape().get(1);
    NDArray kernel = local(scope, weight.reshape(c, o * k * k));
    NDArray y = x.transpose(0, 2, 3, 1).matMul(kernel).reshape(n, h, w, o, k, k)
        .transpose(0, 3, 1, 4, 2, 5).reshape(n, o, h * k, w * k);
    return y.add(local(scope, p(prefix + ".bias").reshape(1, o, 1, 1)));
  }
  private NDArray attention(NDManager scope, NDArray x, String prefix, long n) {
    int e = config.embedDim();
    int heads = config.heads();
    int hd = config.headDim();
    long tokens = x.getShape().get(1);
    NDArray qkv = linear(scope, x, prefix + ".qkv").reshape(n, tokens, 3, heads, hd)
        .transpose(2, 0, 3, 1, 4);
    NDArray q = qkv.get(0);
    NDArray k = qkv.get(1);
    NDArray v = qkv.get(2);
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(hd)).softmax(3);
    NDArray o = att.matMul(v).transpose(0, 2, 1, 3).reshape(n, tokens, e);
    return linear(scope, o, prefix + ".proj");
  }

  private NDArray linear(NDManager scope, NDArray x, String prefix) {
    NDArray wt = local(scope, p(prefix + ".weight").transpose());
    return x.matMul(wt).add(p(prefix + ".bias"));
  }

  private NDArray layerNorm(NDArray x, String prefix) {
    NDArray mean = x.mean(new int[] {2}, true);
    NDArray centred = x.sub(mean);
    NDArray var = centred.square().mean(new int[] {2}, true);
    return centred.div(var.add(VitArchitecture.LAYER_NORM_EPS).sqrt()).mul(p(prefix + ".weight"))
        .add(p(prefix + ".bias"));
  }

  /** Results of operations on parameters belong to the parameters' manager: move them. */
  private static NDArray local(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }

  private NDArray p(String name) {
    NDArray a = params.get(name);
    if (a == null) {
      throw new IllegalStateException("no parameter " + name);
    }
    return a;
  }

  private void checkOpen() {
    if (closed) {
      throw new ModelException("the model is closed");
    }
  }

  /** Frees the native memory; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }
}
