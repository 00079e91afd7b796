package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
import io.github.neuroseg.internal.Quote;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The size of neuroseg's 3D slice-segmentation Vision Transformer: the one definition that the
 * trainer settings, the training network and the ONNX export share, including the list of its
 * weights.
 *
 * <p>The network maps a block {@code [N, 1, inputDepth, tileHeight, tileWidth]} to logits of
 * its centre slice {@code [N, 1, tileHeight, tileWidth]}: a patch embedding (a Conv3d whose
 * kernel and stride are {@code (inputDepth, patch, patch)}), a class token and learned position
 * embeddings, {@code layers} pre-norm transformer blocks of width {@code embedDim} with {@code
 * heads} attention heads and an MLP of {@value #MLP_RATIO} times the width, a final norm, and a
 * {@link Head} that turns the tokens into the centre slice's logits. The rules: every size
 * positive, an odd number of input slices (so that the block has a centre slice; 1 is the 2D
 * baseline), a tile that is a whole number of patches, and a width divisible by the heads.
 *
 * <p>Two options of DINOv2 networks: {@code layerScale} multiplies the output of each block's
 * attention and MLP branch by a learned per-channel scale before it is added to the residual
 * stream ({@code blocks.{i}.ls1.gamma}, {@code blocks.{i}.ls2.gamma}, each {@code [E]}), and
 * {@code registers} extra learned tokens ({@code reg_token [1, R, E]}) are inserted between the
 * class token and the patch tokens after the position embeddings are added (they get none) and
 * dropped with the class token before the head. Both come before the head.
 *
 * @param embedDim token width {@code E}
 * @param layers transformer blocks {@code L} (not to be confused with the input depth)
 * @param heads attention heads; divides {@code E}
 * @param patch square patch size {@code p} in pixels
 * @param inputDepth slices per input block {@code D}, odd (not to be confused with the layers)
 * @param tileHeight block height {@code H} in pixels, a multiple of {@code p}
 * @param tileWidth block width {@code W} in pixels, a multiple of {@code p}
 * @param head how the tokens become pixels
 * @param layerScale whether every block scales its two branches by learned per-channel factors
 *     (DINOv2's LayerScale)
 * @param registers register tokens {@code R >= 0} (DINOv2's "with registers" networks have 4)
 */
public record VitArchitecture(
    int embedDim, int layers, int heads, int patch, int inputDepth, int tileHeight,
    int tileWidth, Head head, boolean layerScale, int registers) {

  /** How the tokens of the last block become per-pixel logits of the centre slice. */
  public enum Head {
    /**
     * The minimal head: each token is mapped linearly to the {@code p x p} pixels it covers
     * (pixel shuffle). Weights {@code head.weight [p*p, E]}, {@code head.bias [p*p]}.
     */
    LINEAR,
    /**
     * A small progressive-upsampling convolutional decoder with a skip connection from the
     * input's centre slice (after UNETR), for neurites one to three pixels wide. The token grid
     * {@code [E, H/p, W/p]} is projected by a transposed convolution of stride {@code p / 2^m}
     * to {@value #DECODER_WIDTH} channels ({@code m} = the number of factors 2 in {@code p}, at
     * most 2), then {@code m} stages each double the resolution (a 2 x 2 transposed
     * convolution of stride 2) and halve the channels (to at least {@value #DECODER_MIN_WIDTH})
     * followed by a 3 x 3 convolution; at full resolution the features are concatenated with
     * {@value #SKIP_WIDTH} channels computed from the centre slice by a 3 x 3 convolution, fused
     * by a 3 x 3 convolution to {@value #DECODER_MIN_WIDTH} channels and mapped to one logit by
     * a 1 x 1 convolution. Every convolution but the last is followed by a ReLU; 3 x 3
     * convolutions pad by one pixel.
     */
    CONV;

    /** The metadata name: {@code linear} or {@code conv}. */
    public String spec() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The head of a metadata name.
     *
     * @throws InvalidInputException for a name that is not {@code linear} or {@code conv}
     */
    public static Head parse(String name) {
      for (Head h : values()) {
        if (h.spec().equals(name.strip().toLowerCase(java.util.Locale.ROOT))) {
          return h;
        }
      }
      throw new InvalidInputException("head must be 'linear' or 'conv', got " + Quote.quote(name));
    }
  }

  /** Channels of the {@link Head#CONV} decoder after the token projection. */
  public static final int DECODER_WIDTH = 64;
  /** Channels of the last {@link Head#CONV} decoder stage and of its fusion layer. */
  public static final int DECODER_MIN_WIDTH = 16;
  /** Channels the {@link Head#CONV} decoder computes from the input's centre slice. */
  public static final int SKIP_WIDTH = 8;

  /** Layer-norm epsilon of every norm in the network (the timm / DINO value). */
  public static final float LAYER_NORM_EPS = 1e-6f;

  /** Width of the MLP hidden layer relative to the embedding width. */
  public static final int MLP_RATIO = 4;

  /** Token width of the {@link #DEFAULT} network: 64. */
  public static final int DEFAULT_EMBED_DIM = 64;
  /** Transformer blocks of the {@link #DEFAULT} network: 4. */
  public static final int DEFAULT_LAYERS = 4;
  /** Attention heads of the {@link #DEFAULT} network: 4. */
  public static final int DEFAULT_HEADS = 4;
  /** Patch size of the {@link #DEFAULT} network: 8. */
  public static final int DEFAULT_PATCH = 8;
  /** Input depth of the {@link #DEFAULT} network: 5 slices. */
  public static final int DEFAULT_INPUT_DEPTH = 5;
  /** Tile side of the {@link #DEFAULT} network: 32 pixels. */
  public static final int DEFAULT_TILE = 32;

  /**
   * The default network: E 64, 4 blocks, 4 heads, patch 8, 5 slices, 32 x 32 tiles (small
   * enough to train on a laptop CPU).
   */
  public static final VitArchitecture DEFAULT = new VitArchitecture(DEFAULT_EMBED_DIM,
      DEFAULT_LAYERS, DEFAULT_HEADS, DEFAULT_PATCH, DEFAULT_INPUT_DEPTH, DEFAULT_TILE,
      DEFAULT_TILE);

  /**
   * Checks the sizes.
   *
   * @throws InvalidInputException naming the first rule that is broken and the values given
   */
  public VitArchitecture {
    if (head == null) {
      throw new InvalidInputException("head must be LINEAR or CONV, got null");
    }
    Checks.positive("embedding width", embedDim);
    Checks.positive("layers", layers);
    Checks.positive("heads", heads);
    Checks.positive("patch size", patch);
    Checks.positive("input depth", inputDepth);
    Checks.positive("tile height", tileHeight);
    Checks.positive("tile width", tileWidth);
    if (registers < 0) {
      throw new InvalidInputException("register tokens must be >= 0, got " + registers);
    }
    if (inputDepth % 2 == 0) {
      throw new InvalidInputException(
          "input depth must be odd so that the block has a centre slice, got " + inputDepth);
    }
    if (tileHeight % patch != 0 || tileWidth % patch != 0) {
      throw new InvalidInputException("tile " + tileWidth + " x " + tileHeight
          + " (width x height) must be a multiple of the patch size " + patch);
    }
    if (embedDim % heads != 0) {
      throw new InvalidInputException(
          "embedding width " + embedDim + " must be divisible by the heads " + heads);
    }
    // every weight and activation buffer is a Java array: refuse sizes whose tensors cannot be
    long tokens = (long) (tileHeight / patch) * (tileWidth / patch);
    long biggest = Math.max(Math.max(Checks.product(MLP_RATIO, embedDim, embedDim),
        Checks.product(1L + registers + tokens, embedDim)),
        Checks.product(embedDim, inputDepth, patch, patch));
    if (biggest > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("a ViT of width " + embedDim + ", patch " + patch
          + ", " + inputDepth + " slices and tile " + tileWidth + " x " + tileHeight
          + " has a weight of " + biggest + " values, more than one array can hold");
    }
  }

  /**
   * The network with these sizes and head, without LayerScale and register tokens.
   *
   * @throws InvalidInputException naming the first rule that is broken and the values given
   */
  public VitArchitecture(int embedDim, int layers, int heads, int patch, int inputDepth,
      int tileHeight, int tileWidth, Head head) {
    this(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth, head, false, 0);
  }

  /**
   * The network with these sizes and the {@link Head#LINEAR} head.
   *
   * @throws InvalidInputException naming the first rule that is broken and the values given
   */
  public VitArchitecture(int embedDim, int layers, int heads, int patch, int inputDepth,
      int tileHeight, int tileWidth) {
    this(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth, Head.LINEAR);
  }

  /** The network with these sizes and the {@link Head#LINEAR} head (see the record's rules). */
  public static VitArchitecture of(int embedDim, int layers, int heads, int patch,
      int inputDepth, int tileHeight, int tileWidth) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight,
        tileWidth);
  }

  /** The same network with another head. */
  public VitArchitecture withHead(Head value) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth,
        value, layerScale, registers);
  }

  /** The same network with or without LayerScale. */
  public VitArchitecture withLayerScale(boolean enabled) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth,
        head, enabled, registers);
  }

  /**
   * The same network with {@code count} register tokens.
   *
   * @throws InvalidInputException for a negative count
   */
  public VitArchitecture withRegisters(int count) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth,
        head, layerScale, count);
  }

  /** DINO ViT-S/16 (E 384, 12 blocks, 6 heads, patch 16) for blocks of the given size. */
  public static VitArchitecture dinoVitS16(int inputDepth, int tileHeight, int tileWidth) {
    return new VitArchitecture(384, 12, 6, 16, inputDepth, tileHeight, tileWidth);
  }

  /** ViT-B/16 (E 768, 12 blocks, 12 heads, patch 16) for blocks of the given size. */
  public static VitArchitecture vitB16(int inputDepth, int tileHeight, int tileWidth) {
    return new VitArchitecture(768, 12, 12, 16, inputDepth, tileHeight, tileWidth);
  }

  /** A tiny network for tests and quick runs: E 32, 2 blocks, 2 heads, patch 8, 5 x 32 x 32. */
  public static VitArchitecture tiny() {
    return new VitArchitecture(32, 2, 2, 8, 5, 32, 32);
  }

  /** The same network for another number of input slices (e.g. 1 for the 2D baseline). */
  public VitArchitecture withInputDepth(int depth) {
    return new VitArchitecture(embedDim, layers, heads, patch, depth, tileHeight, tileWidth,
        head, layerScale, registers);
  }

  /** The same network for another tile size. */
  public VitArchitecture withTile(int height, int width) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, height, width, head,
        layerScale, registers);
  }

  /**
   * The number of weights (learned values) of the network, saturated at {@link Long#MAX_VALUE},
   * for checking that they fit in memory before they are allocated.
   */
  public long parameterCount() {
    // the blocks are alike: count a network of one and of two blocks, and scale the difference
    long one = count(new VitArchitecture(embedDim, 1, heads, patch, inputDepth, tileHeight,
        tileWidth, head, layerScale, registers).weightShapes());
    long two = count(new VitArchitecture(embedDim, 2, heads, patch, inputDepth, tileHeight,
        tileWidth, head, layerScale, registers).weightShapes());
    long blocks = Checks.product(two - one, layers - 1L);
    return blocks > Long.MAX_VALUE - one ? Long.MAX_VALUE : one + blocks;
  }

  private static long count(Map<String, int[]> shapes) {
    long n = 0;
    for (int[] shape : shapes.values()) {
      long[] s = new long[shape.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape[i];
      }
      n += Checks.product(s);
    }
    return n;
  }

  /** Token rows, {@code tileHeight / patch}. */
  public int gridHeight() {
    return tileHeight / patch;
  }

  /** Token columns, {@code tileWidth / patch}. */
  public int gridWidth() {
    return tileWidth / patch;
  }

  /** Tokens dropped before the head: the class token and the register tokens, {@code 1 + R}. */
  public int prefixTokens() {
    return 1 + registers;
  }

  /** Patch tokens per block (the class token not counted). */
  public int tokens() {
    return gridHeight() * gridWidth();
  }

  /** Width of one attention head, {@code embedDim / heads}. */
  public int headDim() {
    return embedDim / heads;
  }

  /**
   * Every weight of the network with its shape, in timm / DINO names and PyTorch layout ({@code
   * [out, in]} for linear weights), in a fixed order: {@code cls_token}, {@code reg_token}
   * (with registers), {@code pos_embed}, {@code patch_embed.proj.*}, {@code blocks.{i}.*} (with
   * {@code ls1.gamma} after {@code attn.proj} and {@code ls2.gamma} after {@code mlp.fc2} when
   * LayerScale is on), {@code norm.*}, {@code head.*}.
   */
  public Map<String, int[]> weightShapes() {
    int e = embedDim;
    int hidden = MLP_RATIO * e;
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("cls_token", new int[] {1, 1, e});
    if (registers > 0) {
      m.put("reg_token", new int[] {1, registers, e});
    }
    m.put("pos_embed", new int[] {1, 1 + tokens(), e});
    m.put("patch_embed.proj.weight", new int[] {e, 1, inputDepth, patch, patch});
    m.put("patch_embed.proj.bias", new int[] {e});
    for (int i = 0; i < layers; i++) {
      String b = "blocks." + i + ".";
      m.put(b + "norm1.weight", new int[] {e});
      m.put(b + "norm1.bias", new int[] {e});
      m.put(b + "attn.qkv.weight", new int[] {3 * e, e});
      m.put(b + "attn.qkv.bias", new int[] {3 * e});
      m.put(b + "attn.proj.weight", new int[] {e, e});
      m.put(b + "attn.proj.bias", new int[] {e});
      if (layerScale) {
        m.put(b + "ls1.gamma", new int[] {e});
      }
      m.put(b + "norm2.weight", new int[] {e});
      m.put(b + "norm2.bias", new int[] {e});
      m.put(b + "mlp.fc1.weight", new int[] {hidden, e});
      m.put(b + "mlp.fc1.bias", new int[] {hidden});
      m.put(b + "mlp.fc2.weight", new int[] {e, hidden});
      m.put(b + "mlp.fc2.bias", new int[] {e});
      if (layerScale) {
        m.put(b + "ls2.gamma", new int[] {e});
      }
    }
    m.put("norm.weight", new int[] {e});
    m.put("norm.bias", new int[] {e});
    if (head == Head.LINEAR) {
      m.put("head.weight", new int[] {patch * patch, e});
      m.put("head.bias", new int[] {patch * patch});
    } else {
      // transposed convolutions [in, out, k, k], convolutions [out, in, k, k] (PyTorch layouts)
      int f = firstUpsampling();
      int c = decoderWidth(0);
      m.put("head.proj.weight", new int[] {e, c, f, f});
      m.put("head.proj.bias", new int[] {c});
      for (int i = 1; i <= decoderStages(); i++) {
        int next = decoderWidth(i);
        m.put("head.up" + i + ".weight", new int[] {c, next, 2, 2});
        m.put("head.up" + i + ".bias", new int[] {next});
        m.put("head.conv" + i + ".weight", new int[] {next, next, 3, 3});
        m.put("head.conv" + i + ".bias", new int[] {next});
        c = next;
      }
      m.put("head.skip.weight", new int[] {SKIP_WIDTH, 1, 3, 3});
      m.put("head.skip.bias", new int[] {SKIP_WIDTH});
      m.put("head.fuse.weight", new int[] {DECODER_MIN_WIDTH, c + SKIP_WIDTH, 3, 3});
      m.put("head.fuse.bias", new int[] {DECODER_MIN_WIDTH});
      m.put("head.out.weight", new int[] {1, DECODER_MIN_WIDTH, 1, 1});
      m.put("head.out.bias", new int[] {1});
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Resolution-doubling stages of the {@link Head#CONV} decoder: the factors 2 of the patch,
   * at most 2.
   */
  public int decoderStages() {
    return Math.min(2, Integer.numberOfTrailingZeros(patch));
  }

  /** Stride of the {@link Head#CONV} decoder's token projection: {@code p / 2^stages}. */
  public int firstUpsampling() {
    return patch >> decoderStages();
  }

  /** Channels after stage {@code i} (0 = the projection) of the {@link Head#CONV} decoder. */
  public int decoderWidth(int stage) {
    return Math.max(DECODER_MIN_WIDTH, DECODER_WIDTH >> stage);
  }

  /**
   * A short description, e.g. {@code ViT[E 64, 4 blocks, 4 heads, patch 8, 5 x 32 x 32]} (the
   * head named when it is not the linear one, LayerScale and registers when present).
   */
  @Override
  public String toString() {
    return "ViT[E " + embedDim + ", " + layers + " blocks, " + heads + " heads, patch " + patch
        + ", " + inputDepth + " x " + tileHeight + " x " + tileWidth
        + (head == Head.LINEAR ? "" : ", " + head.spec() + " head")
        + (layerScale ? ", LayerScale" : "")
        + (registers > 0 ? ", " + registers + " registers" : "") + "]";
  }
}
