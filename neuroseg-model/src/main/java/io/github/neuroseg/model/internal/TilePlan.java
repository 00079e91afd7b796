package io.github.neuroseg.model.internal;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;

/**
 * Which model inputs cover a volume, and where their outputs go. Pure arithmetic, no I/O.
 *
 * <p>Every output slice {@code z} is predicted from the input slab {@code z - D/2 .. z + D/2}
 * (slice indices outside the volume are mirrored back into it, see {@link #mirror}). In x and y
 * the slab is cut into tiles of {@code tileWidth x tileHeight} voxels placed every {@code tile -
 * overlap} voxels; the last tile along an axis is shifted inward so that it ends at the volume's
 * edge. When the volume is smaller than a tile along an axis, a single tile starts at 0 and the
 * voxels beyond the volume are mirror padding (their predictions are discarded). So all tiles
 * lie inside the padded extent {@code [0, max(size, tile))} and every voxel is covered.
 *
 * <p>Tiles are numbered z-major: index {@code i} is slice {@code i / tilesPerSlice()}, then y,
 * then x. The same xy layout is used for every slice.
 */
public final class TilePlan {
  private final int width;
  private final int height;
  private final int depth;
  private final int tileWidth;
  private final int tileHeight;
  private final int overlap;
  private final int inputDepth;
  private final int[] xs;
  private final int[] ys;

  private TilePlan(int width, int height, int depth, int tileWidth, int tileHeight, int overlap,
      int inputDepth) {
    this.width = width;
    this.height = height;
    this.depth = depth;
    this.tileWidth = tileWidth;
    this.tileHeight = tileHeight;
    this.overlap = overlap;
    this.inputDepth = inputDepth;
    this.xs = positions(width, tileWidth, overlap);
    this.ys = positions(height, tileHeight, overlap);
  }

  /**
   * The plan for a volume of {@code width x height x depth} voxels.
   *
   * @param overlap voxels shared by neighbouring tiles, {@code 0 <= overlap < min(tile sizes)}
   * @param inputDepth slices per model input, odd and {@code >= 1}
   * @throws InvalidInputException for empty volumes, a slice too large for one array, or
   *     parameters out of range
   */
  public static TilePlan of(long width, long height, long depth, int tileWidth, int tileHeight,
      int overlap, int inputDepth) {
    if (width <= 0 || height <= 0 || depth <= 0) {
      throw new InvalidInputException("volume must not be empty, got " + width + " x " + height
          + " x " + depth);
    }
    if (width * height > Integer.MAX_VALUE - 8 || depth > Integer.MAX_VALUE) {
      throw new InvalidInputException("a slice of " + width + " x " + height
          + " voxels is too large; at most 2^31 - 9 voxels per slice are supported");
    }
    if (tileWidth <= 0 || tileHeight <= 0) {
      throw new InvalidInputException("tile must be > 0, got " + tileWidth + " x " + tileHeight);
    }
    if (overlap < 0 || overlap >= Math.min(tileWidth, tileHeight)) {
      throw new InvalidInputException("overlap must be in [0, " + Math.min(tileWidth, tileHeight)
          + ") for a " + tileWidth + " x " + tileHeight + " tile, got " + overlap);
    }
    if (inputDepth < 1 || inputDepth % 2 == 0) {
      throw new InvalidInputException("input depth must be odd and >= 1, got " + inputDepth);
    }
    return new TilePlan((int) width, (int) height, (int) depth, tileWidth, tileHeight, overlap,
        inputDepth);
  }

  /**
   * Tile start positions along one axis: every {@code tile - overlap}, the last one moved inward
   * to end at {@code size}; a single 0 when {@code size <= tile}.
   */
  static int[] positions(int size, int tile, int overlap) {
    if (size <= tile) {
      return new int[] {0};
    }
    int stride = tile - overlap;
    int last = size - tile;
    int n = (last + stride - 1) / stride + 1; // ceil(last / stride) starts, then the last one
    int[] p = new int[n];
    for (int i = 0; i < n - 1; i++) {
      p[i] = i * stride;
    }
    p[n - 1] = last;
    return p;
  }

  /**
   * Mirrors an index into {@code [0, n)} without repeating the edge ({@code -1 -> 1}, {@code n ->
   * n - 2}), folding as often as needed; every index maps to 0 when {@code n == 1}.
   */
  public static int mirror(long i, int n) {
    if (n == 1) {
      return 0;
    }
    long period = 2L * (n - 1);
    long m = Math.floorMod(i, period);
    return (int) (m < n ? m : period - m);
  }

  /** Volume width (x). */
  public int width() {
    return width;
  }

  /** Volume height (y). */
  public int height() {
    return height;
  }

  /** Volume depth (z, slices). */
  public int depth() {
    return depth;
  }

  /** Tile width (x). */
  public int tileWidth() {
    return tileWidth;
  }

  /** Tile height (y). */
  public int tileHeight() {
    return tileHeight;
  }

  /** Overlap of neighbouring tiles. */
  public int overlap() {
    return overlap;
  }

  /** Slices per model input (odd). */
  public int inputDepth() {
    return inputDepth;
  }

  /** Tile start positions along x. */
  public int[] xPositions() {
    return xs.clone();
  }

  /** Tile start positions along y. */
  public int[] yPositions() {
    return ys.clone();
  }

  /** Tiles per output slice. */
  public int tilesPerSlice() {
    return xs.length * ys.length;
  }

  /** Tiles in all. */
  public long tileCount() {
    return (long) tilesPerSlice() * depth;
  }

  /** Tile number {@code index} (z-major, then y, then x). */
  public Tile tile(long index) {
    if (index < 0 || index >= tileCount()) {
      throw new InvalidInputException("tile index must be in [0, " + tileCount() + "), got "
          + index);
    }
    int per = tilesPerSlice();
    int z = (int) (index / per);
    int r = (int) (index % per);
    return new Tile(index, xs[r % xs.length], ys[r / xs.length], z);
  }

  /**
   * The volume slice read for depth position {@code k} ({@code 0 <= k < inputDepth}) of the
   * input for output slice {@code z}: {@code z - inputDepth/2 + k}, mirrored into the volume.
   */
  public int inputSlice(int z, int k) {
    return mirror((long) z - inputDepth / 2 + k, depth);
  }

  /**
   * One model input and where its output goes.
   *
   * @param index position in the plan
   * @param x0 first x of the tile (the tile may extend past the volume into mirror padding)
   * @param y0 first y of the tile
   * @param z the output slice
   */
  public record Tile(long index, int x0, int y0, int z) {}

  @Override
  public String toString() {
    return "TilePlan[" + width + "x" + height + "x" + depth + ", tile " + tileWidth + "x"
        + tileHeight + ", overlap " + overlap + ", depth " + inputDepth + ", x "
        + Arrays.toString(xs) + ", y " + Arrays.toString(ys) + "]";
  }
}
