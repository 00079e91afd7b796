package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;

/**
 * The size rules of neuroseg's 3D ViT, in one place for the trainer settings, the training
 * network and the ONNX export: every size positive, an odd input depth (so that a block has a
 * centre slice), a tile that is a whole number of patches, and an embedding width divisible by
 * the attention heads.
 */
public final class VitSizes {
  private VitSizes() {}

  /**
   * Checks a network size.
   *
   * @param embed token width
   * @param layers transformer blocks
   * @param heads attention heads
   * @param patch square patch size in pixels
   * @param inputDepth slices per block
   * @param tileHeight block height in pixels
   * @param tileWidth block width in pixels
   * @throws InvalidInputException naming the first rule that is broken and the values given
   */
  public static void check(int embed, int layers, int heads, int patch, int inputDepth,
      int tileHeight, int tileWidth) {
    positive("embedding width", embed);
    positive("layers", layers);
    positive("heads", heads);
    positive("patch size", patch);
    positive("input depth", inputDepth);
    positive("tile height", tileHeight);
    positive("tile width", tileWidth);
    if (inputDepth % 2 == 0) {
      throw new InvalidInputException(
          "input depth must be odd so that the block has a centre slice, got " + inputDepth);
    }
    if (tileHeight % patch != 0 || tileWidth % patch != 0) {
      throw new InvalidInputException("tile " + tileWidth + " x " + tileHeight
          + " (width x height) must be a multiple of the patch size " + patch);
    }
    if (embed % heads != 0) {
      throw new InvalidInputException(
          "embedding width " + embed + " must be divisible by the heads " + heads);
    }
  }

  private static void positive(String what, int value) {
    if (value <= 0) {
      throw new InvalidInputException(what + " must be > 0, got " + value);
    }
  }
}
