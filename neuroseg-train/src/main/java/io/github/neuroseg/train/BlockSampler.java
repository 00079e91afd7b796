package io.github.neuroseg.train;

import io.github.neuroseg.training.VitArchitecture;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws training blocks: a random volume, a random centre slice and tile position; a block is kept
 * when the foreground fraction of its centre-slice label reaches the minimum (up to 50 tries, then
 * the best one seen). A {@code hardNegativeFraction} of the blocks are drawn as hard negatives
 * instead: of {@value #NEGATIVE_TRIES} random blocks, the one whose centre slice has the
 * brightest voxel at least two pixels from the label. Augmentation: one of the 8 (square tiles) or 4 (otherwise) flips and
 * 90-degree rotations in xy, applied to block and label alike, and an intensity jitter {@code
 * v * a + b} with {@code a} in [0.8, 1.2] and {@code b} in [-0.1, 0.1]; with a {@code gainRange}
 * {@code g > 1}, {@code a} is further multiplied by a factor log-uniform in [1/g, g], so that the
 * network does not rely on the absolute normalised brightness, which depends on how much of a
 * volume is neuron.
 */
final class BlockSampler {
  private static final int TRIES = 50;
  static final int NEGATIVE_TRIES = 8;
  private final List<PreparedVolume> volumes;
  private final VitArchitecture c;
  private final double minForeground;
  private final double hardNegativeFraction;
  private final double gainRange;
  private final boolean augment;

  BlockSampler(List<PreparedVolume> volumes, VitArchitecture c, double minForeground,
      double hardNegativeFraction, boolean augment) {
    this(volumes, c, minForeground, hardNegativeFraction, 1, augment);
  }

  BlockSampler(List<PreparedVolume> volumes, VitArchitecture c, double minForeground,
      double hardNegativeFraction, double gainRange, boolean augment) {
    this.volumes = volumes;
    this.c = c;
    this.minForeground = minForeground;
    this.hardNegativeFraction = hardNegativeFraction;
    this.gainRange = gainRange;
    this.augment = augment;
  }

  /** Fills {@code x} ({@code [n, 1, D, H, W]}) and {@code y} ({@code [n, 1, H, W]}). */
  void batch(SplittableRandom rnd, int n, float[] x, float[] y) {
    int d = c.inputDepth();
    int h = c.tileHeight();
    int w = c.tileWidth();
    int per = d * h * w;
    float[] blk = new float[per];
    float[] lbl = new float[h * w];
    for (int b = 0; b < n; b++) {
      PreparedVolume best = null;
      int[] bestPos = null;
      int bestCount = -1;
      // no draw without hard negatives, so that such runs keep their random stream
      boolean negative = hardNegativeFraction > 0 && rnd.nextDouble() < hardNegativeFraction;
      float brightest = Float.NEGATIVE_INFINITY;
      for (int t = 0; negative && t < NEGATIVE_TRIES; t++) {
        PreparedVolume v = volumes.get(rnd.nextInt(volumes.size()));
        int x0 = rnd.nextInt(v.nx - w + 1);
        int y0 = rnd.nextInt(v.ny - h + 1);
        int z = rnd.nextInt(v.nz);
        float bright = v.brightestBackground(x0, y0, z, h, w);
        if (best == null || bright > brightest) {
          best = v;
          bestPos = new int[] {x0, y0, z};
          brightest = bright;
        }
      }
      for (int t = 0; !negative && t < TRIES; t++) {
        PreparedVolume v = volumes.get(rnd.nextInt(volumes.size()));
        int x0 = rnd.nextInt(v.nx - w + 1);
        int y0 = rnd.nextInt(v.ny - h + 1);
        int z = rnd.nextInt(v.nz);
        int count = v.labelCount(x0, y0, z, h, w);
        if (count > bestCount) {
          best = v;
          bestPos = new int[] {x0, y0, z};
          bestCount = count;
        }
        if (count >= minForeground * h * w) {
          break;
        }
      }
      best.block(bestPos[0], bestPos[1], bestPos[2], d, h, w, blk, 0);
      best.label(bestPos[0], bestPos[1], bestPos[2], h, w, lbl, 0);
      if (augment) {
        int transform = rnd.nextInt(h == w ? 8 : 4);
        double gain = 0.8 + 0.4 * rnd.nextDouble();
        double shift = 0.2 * rnd.nextDouble() - 0.1;
        if (gainRange > 1) {
          // no draw at the default, so that such runs keep their random stream
          gain *= Math.exp((2 * rnd.nextDouble() - 1) * Math.log(gainRange));
        }
        for (int k = 0; k < d; k++) {
          transform(blk, k * h * w, x, b * per + k * h * w, h, w, transform, gain, shift);
        }
        transform(lbl, 0, y, b * h * w, h, w, transform, 1, 0);
      } else {
        System.arraycopy(blk, 0, x, b * per, per);
        System.arraycopy(lbl, 0, y, b * h * w, h * w);
      }
    }
  }

  /**
   * One of the dihedral transforms of an {@code h x w} image: bit 0 flips x, bit 1 flips y, bit 2
   * transposes (square images only); then {@code v * gain + shift}.
   */
  static void transform(float[] src, int so, float[] dst, int dofs, int h, int w, int t,
      double gain, double shift) {
    boolean fx = (t & 1) != 0;
    boolean fy = (t & 2) != 0;
    boolean tr = (t & 4) != 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int sx = tr ? y : x;
        int sy = tr ? x : y;
        if (fx) {
          sx = w - 1 - sx;
        }
        if (fy) {
          sy = h - 1 - sy;
        }
        dst[dofs + y * w + x] = (float) (src[so + sy * w + sx] * gain + shift);
      }
    }
  }
}
