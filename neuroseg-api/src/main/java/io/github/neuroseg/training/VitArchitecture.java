package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Checks;
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
 * linear head to {@code patch * patch} pixels per token (pixel shuffle). The rules: every size
 * positive, an odd number of input slices (so that the block has a centre slice; 1 is the 2D
 * baseline), a tile that is a whole number of patches, and a width divisible by the heads.
 *
 * @param embedDim token width {@code E}
 * @param layers transformer blocks {@code L} (not to be confused with the input depth)
 * @param heads attention heads; divides {@code E}
 * @param patch square patch size {@code p} in pixels
 * @param inputDepth slices per input block {@code D}, odd (not to be confused with the layers)
 * @param tileHeight block height {@code H} in pixels, a multiple of {@code p}
 * @param tileWidth block width {@code W} in pixels, a multiple of {@code p}
 */
public record VitArchitecture(
    int embedDim, int layers, int heads, int patch, int inputDepth, int tileHeight,
    int tileWidth) {

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
    Checks.positive("embedding width", embedDim);
    Checks.positive("layers", layers);
    Checks.positive("heads", heads);
    Checks.positive("patch size", patch);
    Checks.positive("input depth", inputDepth);
    Checks.positive("tile height", tileHeight);
    Checks.positive("tile width", tileWidth);
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
    long biggest = Math.max(Math.max((long) MLP_RATIO * embedDim * embedDim,
        (1 + tokens) * embedDim), (long) embedDim * inputDepth * patch * patch);
    if (biggest > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException("a ViT of width " + embedDim + ", patch " + patch
          + ", " + inputDepth + " slices and tile " + tileWidth + " x " + tileHeight
          + " has a weight of " + biggest + " values, more than one array can hold");
    }
  }

  /** The network with these sizes (see the record's rules). */
  public static VitArchitecture of(int embedDim, int layers, int heads, int patch,
      int inputDepth, int tileHeight, int tileWidth) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, tileHeight,
        tileWidth);
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
    return new VitArchitecture(embedDim, layers, heads, patch, depth, tileHeight, tileWidth);
  }

  /** The same network for another tile size. */
  public VitArchitecture withTile(int height, int width) {
    return new VitArchitecture(embedDim, layers, heads, patch, inputDepth, height, width);
  }

  /** Token rows, {@code tileHeight / patch}. */
  public int gridHeight() {
    return tileHeight / patch;
  }

  /** Token columns, {@code tileWidth / patch}. */
  public int gridWidth() {
    return tileWidth / patch;
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
   * [out, in]} for linear weights), in a fixed order: {@code cls_token}, {@code pos_embed},
   * {@code patch_embed.proj.*}, {@code blocks.{i}.*}, {@code norm.*}, {@code head.*}.
   */
  public Map<String, int[]> weightShapes() {
    int e = embedDim;
    int hidden = MLP_RATIO * e;
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("cls_token", new int[] {1, 1, e});
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
      m.put(b + "norm2.weight", new int[] {e});
      m.put(b + "norm2.bias", new int[] {e});
      m.put(b + "mlp.fc1.weight", new int[] {hidden, e});
      m.put(b + "mlp.fc1.bias", new int[] {hidden});
      m.put(b + "mlp.fc2.weight", new int[] {e, hidden});
      m.put(b + "mlp.fc2.bias", new int[] {e});
    }
    m.put("norm.weight", new int[] {e});
    m.put("norm.bias", new int[] {e});
    m.put("head.weight", new int[] {patch * patch, e});
    m.put("head.bias", new int[] {patch * patch});
    return Collections.unmodifiableMap(m);
  }

  /** A short description, e.g. {@code ViT[E 64, 4 blocks, 4 heads, patch 8, 5 x 32 x 32]}. */
  @Override
  public String toString() {
    return "ViT[E " + embedDim + ", " + layers + " blocks, " + heads + " heads, patch " + patch
        + ", " + inputDepth + " x " + tileHeight + " x " + tileWidth + "]";
  }
}
