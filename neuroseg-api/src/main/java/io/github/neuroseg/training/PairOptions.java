package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;

/**
 * How {@link LabeledVolume#readPairs(java.nio.file.Path, PairOptions)} reads image/SWC pairs.
 *
 * @param swcInVoxels {@code true} when the SWC coordinates are voxel indices of the image (as in
 *     most tracings made on a stack, e.g. the DIADEM gold standards), {@code false} when they are
 *     in the image's physical units (the default)
 * @param alignRadius when {@code > 0}, each tree is first shifted in x and y by up to this many
 *     voxels onto the bright structure of its image ({@link SwcAlignment}, half-voxel steps);
 *     0 (the default) reads the trees as they are
 */
public record PairOptions(boolean swcInVoxels, double alignRadius) {

  /** Physical SWC units, no alignment. */
  public static final PairOptions DEFAULT = new PairOptions(false, 0);

  /**
   * Checks the radius.
   *
   * @throws InvalidInputException for a negative or non-finite radius
   */
  public PairOptions {
    if (!(alignRadius >= 0) || Double.isInfinite(alignRadius)) {
      throw new InvalidInputException("alignment radius must be finite and >= 0 voxels, got "
          + alignRadius);
    }
  }
}
