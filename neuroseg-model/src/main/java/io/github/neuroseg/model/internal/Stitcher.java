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
  // the part of each slice that is blended: all of it, or a rectangle of it
  private final int rx0;
  private final int ry0;
  private final int rw;
  private final int rh;

  /** A stitcher for the plan's whole slices, with the given window. */
  public Stitcher(TilePlan plan, Blending blending) {
    this(plan, blending, 0, 0, plan.width(), plan.height());
  }

  /**
   * A stitcher for the rectangle {@code [x0, x0 + width) x [y0, y0 + height)} of the plan's
   * slices. Its accumulators and output hold that rectangle only, and every voxel of it gets
   * exactly the value the whole-slice stitcher gives it: the same tiles are added in the same
   * order, and the weights are summed in the plan's order too.
   *
   * @throws InvalidInputException when the rectangle is empty or not inside the slice
   */
  public Stitcher(TilePlan plan, Blending blending, int x0, int y0, int width, int height) {
    if (width <= 0 || height <= 0 || x0 < 0 || y0 < 0 || (long) x0 + width > plan.width()
        || (long) y0 + height > plan.height()) {
      throw new InvalidInputException("stitching rectangle [" + x0 + ", " + y0 + "] + " + width
          + " x " + height + " must be non-empty and inside the " + plan.width() + " x "
          + plan.height() + " slice");
    }
    this.plan = plan;
    this.rx0 = x0;
    this.ry0 = y0;
    this.rw = width;
    this.rh = height;
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
    weight = new double[width * height];
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

  /**
   * The total window weight at slice voxel {@code (x, y)} (slice coordinates, inside the
   * rectangle); always {@code > 0}.
   */
  public double weightAt(int x, int y) {
    return weight[(y - ry0) * rw + (x - rx0)];
  }

  /** Whether the tile adds to the rectangle. */
  public boolean touches(TilePlan.Tile tile) {
    return tile.x0() < rx0 + rw && tile.x0() + plan.tileWidth() > rx0
        && tile.y0() < ry0 + rh && tile.y0() + plan.tileHeight() > ry0;
  }

  /** A zeroed accumulator for the rectangle of one slice. */
  public double[] newAccumulator() {
    return new double[rw * rh];
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
    // the loops of forEachInside, written out: this is the hot path of stitching
    int tw = plan.tileWidth();
    int xStart = Math.max(0, rx0 - tile.x0());
    int xEnd = Math.min(Math.min(tw, plan.width() - tile.x0()), rx0 + rw - tile.x0());
    int yStart = Math.max(0, ry0 - tile.y0());
    int yEnd = Math.min(Math.min(plan.tileHeight(), plan.height() - tile.y0()),
        ry0 + rh - tile.y0());
    for (int y = yStart; y < yEnd; y++) {
      int s = (tile.y0() + y - ry0) * rw + tile.x0() - rx0;
      int t = y * tw;
      int p = offset + t;
      for (int x = xStart; x < xEnd; x++) {
        accumulator[s + x] += window[t + x] * predictions[p + x];
      }
    }
  }

  /**
   * Writes the blended slice (its rectangle), {@code sum * (1 / weight)} per voxel, into {@code
   * out} (x fastest).
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

  /** Visits the tile's voxels inside the volume and the rectangle, row by row. */
  private void forEachInside(TilePlan.Tile t, PixelPair f) {
    int tw = plan.tileWidth();
    int xStart = Math.max(0, rx0 - t.x0());
    int xEnd = Math.min(Math.min(tw, plan.width() - t.x0()), rx0 + rw - t.x0());
    int yStart = Math.max(0, ry0 - t.y0());
    int yEnd = Math.min(Math.min(plan.tileHeight(), plan.height() - t.y0()), ry0 + rh - t.y0());
    for (int y = yStart; y < yEnd; y++) {
      int s = (t.y0() + y - ry0) * rw + t.x0() - rx0;
      int ti = y * tw;
      for (int x = xStart; x < xEnd; x++) {
        f.accept(s + x, ti + x);
      }
    }
  }
}
