package io.github.neuroseg.model.internal;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.segmentation.Blending;

/**
 * Blends overlapping tile predictions of one output slice into that slice. Pure arithmetic.
 *
 * <p>Each tile's predictions are multiplied by a blending window and summed per voxel in double
 * precision together with the window's weight; the slice is the weighted sum times the reciprocal
 * of the total weight (computed once per voxel of the plan: a product instead of a quotient
 * differs by a few units in the last place of a double, far below float precision). Windows are
 * separable products of 1D profiles and never zero:
 *
 * <ul>
 *   <li>{@link Blending#GAUSSIAN}: {@code exp(-(i - c)^2 / (2 sigma^2))} with {@code c = (t -
 *       1) / 2} and {@code sigma = t / 8} (the edge weight is about {@code exp(-8)} of the centre
 *       for every tile size);
 *   <li>{@link Blending#LINEAR}: {@code min(i + 1, t - i)}, a ramp from 1 at the border to the
 *       centre;
 *   <li>{@link Blending#CONSTANT}: 1.
 * </ul>
 *
 * <p>Because the sum and the weight are kept in double precision, tiles that agree on a voxel
 * give back exactly their common float value, and the result depends only on the set of tiles,
 * not on the batch they came in. Tiles must be {@link #add added} in a fixed order (the plan's)
 * for results that are reproducible to the last bit.
 *
 * <p>Instances are immutable after construction and may be shared by threads; accumulators are
 * not.
 */
public final class Stitcher {
  private final TilePlan plan;
  private final double[] window;
  private final double[] weight;
  private final double[] inverseWeight;

  /** A stitcher for the plan's slices, with the given window. */
  public Stitcher(TilePlan plan, Blending blending) {
    this.plan = plan;
    int tw = plan.tileWidth();
    int th = plan.tileHeight();
    double[] wx = profile(blending, tw);
    double[] wy = profile(blending, th);
    window = new double[tw * th];
    for (int y = 0; y < th; y++) {
      for (int x = 0; x < tw; x++) {
        window[y * tw + x] = wy[y] * wx[x];
      }
    }
    weight = new double[plan.width() * plan.height()];
    for (int i = 0; i < plan.tilesPerSlice(); i++) {
      TilePlan.Tile t = plan.tile(i);
      forEachInside(t, (sliceIndex, tileIndex) -> weight[sliceIndex] += window[tileIndex]);
    }
    inverseWeight = new double[weight.length];
    for (int i = 0; i < weight.length; i++) {
      inverseWeight[i] = 1.0 / weight[i];
    }
  }

  /** The 1D window profile of a tile side of {@code t} voxels; every value is {@code > 0}. */
  static double[] profile(Blending blending, int t) {
    double[] w = new double[t];
    double c = (t - 1) / 2.0;
    double sigma = t / 8.0;
    for (int i = 0; i < t; i++) {
      w[i] = switch (blending) {
        case GAUSSIAN -> Math.exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        case LINEAR -> Math.min(i + 1, t - i);
        case CONSTANT -> 1.0;
      };
    }
    return w;
  }

  /** The plan this stitcher blends. */
  public TilePlan plan() {
    return plan;
  }

  /** The tile window, {@code tileHeight * tileWidth} values, x fastest. */
  public double[] window() {
    return window.clone();
  }

  /** The total window weight at slice voxel {@code y * width + x}; always {@code > 0}. */
  public double weightAt(int x, int y) {
    return weight[y * plan.width() + x];
  }

  /** A zeroed accumulator for one slice. */
  public double[] newAccumulator() {
    return new double[plan.width() * plan.height()];
  }

  /**
   * Adds one tile's predictions to a slice accumulator. Predictions for voxels in the mirror
   * padding beyond the volume are ignored.
   *
   * @param predictions {@code tileHeight * tileWidth} values (x fastest) starting at {@code
   *     offset}
   */
  public void add(double[] accumulator, TilePlan.Tile tile, float[] predictions, int offset) {
    if (accumulator.length != weight.length
        || offset < 0 || offset + window.length > predictions.length) {
      throw new InvalidInputException("accumulator of " + accumulator.length + " (need "
          + weight.length + ") or predictions of " + predictions.length + " from " + offset
          + " (need " + window.length + ") do not fit the plan");
    }
    int tw = plan.tileWidth();
    int w = plan.width();
    int xEnd = Math.min(tw, w - tile.x0());
    int yEnd = Math.min(plan.tileHeight(), plan.height() - tile.y0());
    for (int y = 0; y < yEnd; y++) {
      int s = (tile.y0() + y) * w + tile.x0();
      int t = y * tw;
      int p = offset + t;
      for (int x = 0; x < xEnd; x++) {
        accumulator[s + x] += window[t + x] * predictions[p + x];
      }
    }
  }

  /**
   * Writes the blended slice, {@code sum * (1 / weight)} per voxel, into {@code out} (x fastest).
   */
  public void finish(double[] accumulator, float[] out) {
    double[] inv = inverseWeight;
    for (int i = 0; i < inv.length; i++) {
      out[i] = (float) (accumulator[i] * inv[i]);
    }
  }

  /**
   * Writes the blended slice as {@link #finish} does, into {@code out} from {@code offset} (e.g.
   * straight into a volume's array), and zeroes the accumulator in the same pass so that it can
   * take the next slice's tiles.
   */
  public void finishAndClear(double[] accumulator, float[] out, int offset) {
    double[] inv = inverseWeight;
    for (int i = 0; i < inv.length; i++) {
      out[offset + i] = (float) (accumulator[i] * inv[i]);
      accumulator[i] = 0;
    }
  }

  private interface PixelPair {
    void accept(int sliceIndex, int tileIndex);
  }

  private void forEachInside(TilePlan.Tile t, PixelPair f) {
    int tw = plan.tileWidth();
    int w = plan.width();
    int xEnd = Math.min(tw, w - t.x0());
    int yEnd = Math.min(plan.tileHeight(), plan.height() - t.y0());
    for (int y = 0; y < yEnd; y++) {
      int s = (t.y0() + y) * w + t.x0();
      int ti = y * tw;
      for (int x = 0; x < xEnd; x++) {
        f.accept(s + x, ti + x);
      }
    }
  }
}
