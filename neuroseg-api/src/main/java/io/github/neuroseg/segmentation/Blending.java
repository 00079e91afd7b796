package io.github.neuroseg.segmentation;

/** How overlapping tiles are weighted when their predictions are stitched together. */
public enum Blending {
  /** A Gaussian window, sigma = tile size / 8, never zero (as MONAI's sliding window). */
  GAUSSIAN,
  /** A linear ramp from the tile border to its centre, never zero. */
  LINEAR,
  /** Equal weights: plain averaging of overlapping tiles. */
  CONSTANT
}
