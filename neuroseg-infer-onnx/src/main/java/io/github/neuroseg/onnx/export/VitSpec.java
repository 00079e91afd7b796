package io.github.neuroseg.onnx.export;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.training.VitSizes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The size of a neuroseg 3D ViT (see {@link VitOnnxWriter} for the architecture).
 *
 * @param embed token width {@code E}
 * @param depth number of transformer blocks {@code L}
 * @param heads attention heads; must divide {@code E}
 * @param patch patch size {@code p} in x and y
 * @param inputDepth slices per input {@code D}, odd
 * @param tileHeight tile height {@code H}, a multiple of {@code p}
 * @param tileWidth tile width {@code W}, a multiple of {@code p}
 */
public record VitSpec(int embed, int depth, int heads, int patch, int inputDepth, int tileHeight,
    int tileWidth) {

  /**
   * Checks the sizes.
   *
   * @throws InvalidInputException when a size is not positive, heads do not divide the width,
   *     the depth is even or the tile is not a multiple of the patch
   */
  public VitSpec {
    VitSizes.check(embed, depth, heads, patch, inputDepth, tileHeight, tileWidth);
  }

  /** Token rows {@code H / p}. */
  public int gridHeight() {
    return tileHeight / patch;
  }

  /** Token columns {@code W / p}. */
  public int gridWidth() {
    return tileWidth / patch;
  }

  /** Patch tokens {@code T = (H / p) (W / p)} (the class token not counted). */
  public int tokens() {
    return gridHeight() * gridWidth();
  }

  /** Width of one attention head, {@code E / heads}. */
  public int headDim() {
    return embed / heads;
  }

  /**
   * Every weight the architecture needs, with its shape, in timm/DINO names and layout (linear
   * weights {@code [out, in]}), in a fixed order.
   */
  public Map<String, int[]> weightShapes() {
    int e = embed;
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("cls_token", new int[] {1, 1, e});
    m.put("pos_embed", new int[] {1, 1 + tokens(), e});
    m.put("patch_embed.proj.weight", new int[] {e, 1, inputDepth, patch, patch});
    m.put("patch_embed.proj.bias", new int[] {e});
    for (int i = 0; i < depth; i++) {
      String b = "blocks." + i + ".";
      m.put(b + "norm1.weight", new int[] {e});
      m.put(b + "norm1.bias", new int[] {e});
      m.put(b + "attn.qkv.weight", new int[] {3 * e, e});
      m.put(b + "attn.qkv.bias", new int[] {3 * e});
      m.put(b + "attn.proj.weight", new int[] {e, e});
      m.put(b + "attn.proj.bias", new int[] {e});
      m.put(b + "norm2.weight", new int[] {e});
      m.put(b + "norm2.bias", new int[] {e});
      m.put(b + "mlp.fc1.weight", new int[] {4 * e, e});
      m.put(b + "mlp.fc1.bias", new int[] {4 * e});
      m.put(b + "mlp.fc2.weight", new int[] {e, 4 * e});
      m.put(b + "mlp.fc2.bias", new int[] {e});
    }
    m.put("norm.weight", new int[] {e});
    m.put("norm.bias", new int[] {e});
    m.put("head.weight", new int[] {patch * patch, e});
    m.put("head.bias", new int[] {patch * patch});
    return m;
  }
}
