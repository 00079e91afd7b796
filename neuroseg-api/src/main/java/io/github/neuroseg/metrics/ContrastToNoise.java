package io.github.neuroseg.metrics;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * The contrast-to-noise ratio of an image with a known foreground mask: {@code (mean foreground -
 * mean background) / std(background)}, where std is the population standard deviation (divided
 * by the number of background voxels). A voxel is foreground when its mask value is non-zero.
 *
 * <p>This is how hard a volume is for a threshold: at a ratio of 1.5 the neuron is on average
 * only one and a half background standard deviations above the background mean.
 *
 * @param foregroundMean mean image value over the foreground ({@code NaN} when there is none)
 * @param backgroundMean mean image value over the background ({@code NaN} when there is none)
 * @param backgroundStd population standard deviation of the background ({@code NaN} when empty)
 * @param foregroundVoxels number of foreground voxels
 * @param backgroundVoxels number of background voxels
 */
public record ContrastToNoise(double foregroundMean, double backgroundMean,
    double backgroundStd, long foregroundVoxels, long backgroundVoxels) {

  /**
   * The ratio {@code (foregroundMean - backgroundMean) / backgroundStd}: {@code NaN} when either
   * part is empty or there is neither contrast nor noise, infinite for a constant background
   * under a brighter or darker foreground.
   */
  public double ratio() {
    return (foregroundMean - backgroundMean) / backgroundStd;
  }

  /**
   * Measures an image against its foreground mask (two passes over the image, so the standard
   * deviation carries no cancellation error).
   *
   * @param image an image (any number of dimensions)
   * @param mask a mask with the image's dimensions (minimum coordinates are ignored)
   * @throws InvalidInputException when the two differ in dimensions
   */
  public static ContrastToNoise measure(RandomAccessibleInterval<? extends RealType<?>> image,
      RandomAccessibleInterval<? extends RealType<?>> mask) {
    long[] di = image.dimensionsAsLongArray();
    long[] dm = mask.dimensionsAsLongArray();
    if (!Arrays.equals(di, dm)) {
      throw new InvalidInputException("image and mask must have the same size, got "
          + Arrays.toString(di) + " and " + Arrays.toString(dm));
    }
    double fgSum = 0;
    double bgSum = 0;
    long fg = 0;
    long bg = 0;
    Cursor<? extends RealType<?>> ci = Views.flatIterable(image).cursor();
    Cursor<? extends RealType<?>> cm = Views.flatIterable(mask).cursor();
    while (ci.hasNext()) {
      double v = ci.next().getRealDouble();
      if (cm.next().getRealDouble() != 0) {
        fgSum += v;
        fg++;
      } else {
        bgSum += v;
        bg++;
      }
    }
    double fgMean = fg == 0 ? Double.NaN : fgSum / fg;
    double bgMean = bg == 0 ? Double.NaN : bgSum / bg;
    double sq = 0;
    ci = Views.flatIterable(image).cursor();
    cm = Views.flatIterable(mask).cursor();
    while (ci.hasNext()) {
      double v = ci.next().getRealDouble();
      if (cm.next().getRealDouble() == 0) {
        sq += (v - bgMean) * (v - bgMean);
      }
    }
    double bgStd = bg == 0 ? Double.NaN : Math.sqrt(sq / bg);
    return new ContrastToNoise(fgMean, bgMean, bgStd, fg, bg);
  }
}
