package io.github.neuroseg.train;

import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.training.LabeledVolume;
import io.github.neuroseg.training.TrainerBuilder;
import io.github.neuroseg.volume.Normalization;
import io.github.neuroseg.volume.VoxelSize;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * A volume held in memory for training: intensities normalised as the trainer's settings say and
 * the 0/1 mask as flat arrays
 * laid out x fastest, then y, then z.
 */
final class PreparedVolume {

  final String name;
  final int nx;
  final int ny;
  final int nz;
  final float[] image;
  final byte[] mask;
  final VoxelSize voxelSize;
  final double foregroundFraction;

  /** A volume normalised with the default training normalisation. */
  PreparedVolume(LabeledVolume v, VitArchitecture c) {
    this(v, c, TrainerBuilder.DEFAULT_NORMALIZATION);
  }

  PreparedVolume(LabeledVolume v, VitArchitecture c, Normalization normalization) {
    this.name = v.name();
    long[] d = v.image().dimensions();
    if ((long) d[0] * d[1] * d[2] > Integer.MAX_VALUE) {
      throw new InvalidInputException(name + " is too large to hold in memory for training: "
          + d[0] + " x " + d[1] + " x " + d[2]);
    }
    if (d[0] < c.tileWidth() || d[1] < c.tileHeight()) {
      throw new InvalidInputException(name + " of " + d[0] + " x " + d[1]
          + " pixels is smaller than the tile " + c.tileWidth() + " x " + c.tileHeight());
    }
    this.nx = (int) d[0];
    this.ny = (int) d[1];
    this.nz = (int) d[2];
    this.voxelSize = v.image().voxelSize();
    this.image = new float[nx * ny * nz];
    this.mask = new byte[image.length];
    Normalization.Range range = normalization.range(v.image().image());
    copy(v.image().image(), (i, x) -> image[i] = (float) range.apply(x));
    int[] fg = new int[1];
    copy(v.mask(), (i, x) -> {
      if (x != 0) {
        mask[i] = 1;
        fg[0]++;
      }
    });
    this.foregroundFraction = (double) fg[0] / mask.length;
  }

  private interface Sink {
    void put(int index, double value);
  }

  private static void copy(RandomAccessibleInterval<? extends RealType<?>> src, Sink sink) {
    Cursor<? extends RealType<?>> c = Views.flatIterable(src).cursor();
    int i = 0;
    while (c.hasNext()) {
      sink.put(i++, c.next().getRealDouble());
    }
  }

  /**
   * Copies the block whose centre slice is {@code z} and top-left corner {@code (x0, y0)} into
   * {@code out} at {@code offset} ({@code [D][H][W]}); slices beyond the volume are mirrored back
   * into it without repeating the edge, exactly as inference does ({@link TilePlan#mirror}).
   */
  void block(int x0, int y0, int z, int depth, int h, int w, float[] out, int offset) {
    int half = depth / 2;
    for (int k = 0; k < depth; k++) {
      int zz = TilePlan.mirror((long) z - half + k, nz);
      for (int y = 0; y < h; y++) {
        System.arraycopy(image, (zz * ny + y0 + y) * nx + x0, out, offset + (k * h + y) * w, w);
      }
    }
  }

  /** Foreground pixels of the centre-slice label of a block. */
  int labelCount(int x0, int y0, int z, int h, int w) {
    int n = 0;
    for (int y = 0; y < h; y++) {
      int row = (z * ny + y0 + y) * nx + x0;
      for (int x = 0; x < w; x++) {
        n += mask[row + x];
      }
    }
    return n;
  }

  /**
   * The brightest normalised intensity in the centre slice of a block at least {@value #CLEAR}
   * pixels from the label: the blurred rim of a neurite is not background to learn from.
   */
  float brightestBackground(int x0, int y0, int z, int h, int w) {
    float max = Float.NEGATIVE_INFINITY;
    for (int y = 0; y < h; y++) {
      int row = (z * ny + y0 + y) * nx + x0;
      for (int x = 0; x < w; x++) {
        if (image[row + x] > max && !nearLabel(x0 + x, y0 + y, z)) {
          max = image[row + x];
        }
      }
    }
    return max;
  }

  /** Pixels around the label that {@link #brightestBackground} passes over. */
  static final int CLEAR = 2;

  private boolean nearLabel(int x, int y, int z) {
    for (int yy = Math.max(0, y - CLEAR); yy <= Math.min(ny - 1, y + CLEAR); yy++) {
      int row = (z * ny + yy) * nx;
      for (int xx = Math.max(0, x - CLEAR); xx <= Math.min(nx - 1, x + CLEAR); xx++) {
        if (mask[row + xx] != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The centre-slice label as 0/1 floats into {@code out} at {@code offset}. */
  void label(int x0, int y0, int z, int h, int w, float[] out, int offset) {
    for (int y = 0; y < h; y++) {
      int row = (z * ny + y0 + y) * nx + x0;
      for (int x = 0; x < w; x++) {
        out[offset + y * w + x] = mask[row + x];
      }
    }
  }
}
