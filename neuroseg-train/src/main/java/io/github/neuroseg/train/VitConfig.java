package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.training.VitSizes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Size of the 3D slice-segmentation ViT: embedding width, transformer blocks, attention heads,
 * patch size, input depth (slices per block) and the tile (block height and width in pixels).
 *
 * <p>The network maps a block {@code [N, 1, inputDepth, tileHeight, tileWidth]} to logits of its
 * centre slice {@code [N, 1, tileHeight, tileWidth]}. The tile must be a multiple of the patch
 * size, the input depth odd (1 is the 2D baseline), and the width divisible by the heads.
 *
 * @param embedDim token width E
 * @param layers number of transformer blocks L
 * @param heads attention heads (E must be divisible by it)
 * @param patch square patch size p in pixels
 * @param inputDepth slices per block D (odd)
 * @param tileHeight block height H in pixels (multiple of p)
 * @param tileWidth block width W in pixels (multiple of p)
 */
public record VitConfig(
    int embedDim, int layers, int heads, int patch, int inputDepth, int tileHeight,
    int tileWidth) {

  /** Layer-norm epsilon of every norm in the network (timm / DINO value). */
  public static final float LAYER_NORM_EPS = 1e-6f;

  /** Width of the MLP hidden layer relative to the embedding. */
  public static final int MLP_RATIO = 4;

  /**
   * Validates the sizes.
   *
   * @throws InvalidInputException when a size is not positive, the depth is even, the tile is not
   *     a multiple of the patch or the width is not divisible by the heads
   */
  public VitConfig {
    VitSizes.check(embedDim, layers, heads, patch, inputDepth, tileHeight, tileWidth);
  }

  /** DINO ViT-S/16 (E 384, 12 blocks, 6 heads, patch 16) for blocks of the given size. */
  public static VitConfig dinoVitS16(int inputDepth, int tileHeight, int tileWidth) {
    return new VitConfig(384, 12, 6, 16, inputDepth, tileHeight, tileWidth);
  }

  /** ViT-B/16 (E 768, 12 blocks, 12 heads, patch 16) for blocks of the given size. */
  public static VitConfig vitB16(int inputDepth, int tileHeight, int tileWidth) {
    return new VitConfig(768, 12, 12, 16, inputDepth, tileHeight, tileWidth);
  }

  /** A tiny network for tests and quick runs: E 32, 2 blocks, 2 heads, patch 8, 5 x 32 x 32. */
  public static VitConfig tiny() {
    return new VitConfig(32, 2, 2, 8, 5, 32, 32);
  }

  /** The same network for another input depth (e.g. 1 for the 2D baseline). */
  public VitConfig withInputDepth(int depth) {
    return new VitConfig(embedDim, layers, heads, patch, depth, tileHeight, tileWidth);
  }

  /** The same network for another tile size. */
  public VitConfig withTile(int height, int width) {
    return new VitConfig(embedDim, layers, heads, patch, inputDepth, height, width);
  }

  /** Token rows, {@code tileHeight / patch}. */
  public int gridHeight() {
    return tileHeight / patch;
  }

  /** Token columns, {@code tileWidth / patch}. */
  public int gridWidth() {
    return tileWidth / patch;
  }

  /** Patch tokens per block (without the class token). */
  public int tokens() {
    return gridHeight() * gridWidth();
  }

  /** Width of one attention head. */
  public int headDim() {
    return embedDim / heads;
  }

  /**
   * The parameters with their shapes, in timm / DINO naming and PyTorch layout ({@code [out, in]}
   * for linear weights), in a fixed order.
   */
  public Map<String, long[]> parameterShapes() {
    // the exported graph's list is the one definition of the architecture's tensors
    Map<String, long[]> m = new LinkedHashMap<>();
    OnnxExport.spec(this).weightShapes().forEach((name, shape) ->
        m.put(name, java.util.Arrays.stream(shape).asLongStream().toArray()));
    return m;
  }
}
