package io.github.neuroseg.benchmarks;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.Volume;
import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

/**
 * The threshold baselines of the real-data benchmark: what a user gets without a learned model.
 * Masks are 0/1 bytes, x fastest.
 */
final class Thresholds {
  private Thresholds() {}

  /** The voxels of a volume as floats, x fastest. */
  static float[] voxels(Volume volume) {
    long n = volume.width() * volume.height() * volume.depth();
    if (n > Integer.MAX_VALUE) {
      throw new InvalidInputException("the benchmark holds volumes of at most "
          + Integer.MAX_VALUE + " voxels, got " + n);
    }
    float[] out = new float[(int) n];
    Cursor<? extends RealType<?>> c = Views.flatIterable(volume.image()).cursor();
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) c.next().getRealDouble();
    }
    return out;
  }

  /** Mean and population standard deviation (two passes). */
  static double[] meanStd(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    double mean = s / v.length;
    double q = 0;
    for (float x : v) {
      q += (x - mean) * (x - mean);
    }
    return new double[] {mean, Math.sqrt(q / v.length)};
  }

  /** Foreground where {@code v > mean + k * std} of {@code v} itself. */
  static ArrayImg<UnsignedByteType, ByteArray> aboveMeanPlus(float[] v, double k, long[] dims) {
    double[] ms = meanStd(v);
    double t = ms[0] + k * ms[1];
    byte[] m = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      m[i] = (byte) (v[i] > t ? 1 : 0);
    }
    return ArrayImgs.unsignedBytes(m, dims);
  }

  /** APP2's background rule: foreground is brighter than mean + 0.5 std of the volume. */
  static ArrayImg<UnsignedByteType, ByteArray> meanHalfStd(Volume volume) {
    return aboveMeanPlus(voxels(volume), 0.5, volume.dimensions());
  }

  /**
   * Gaussian smoothing with sigma 1 voxel along x, y and z, then foreground where the smoothed
   * volume exceeds its mean + 3 std.
   */
  static ArrayImg<UnsignedByteType, ByteArray> gaussThreeStd(Volume volume) {
    long[] d = volume.dimensions();
    float[] v = voxels(volume);
    gaussian(v, (int) d[0], (int) d[1], (int) d[2], 1.0);
    return aboveMeanPlus(v, 3, d);
  }

  /**
   * Separable Gaussian filter in place, the same sigma (voxels) on the three axes, taps out to 4
   * sigma (as scipy.ndimage), normalised; outside the volume the nearest edge voxel repeats.
   */
  static void gaussian(float[] data, int nx, int ny, int nz, double sigma) {
    int half = Math.max(1, (int) Math.ceil(4 * sigma));
    double[] k = new double[2 * half + 1];
    double sum = 0;
    for (int i = -half; i <= half; i++) {
      k[i + half] = Math.exp(-0.5 * i * i / (sigma * sigma));
      sum += k[i + half];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    int[] n = {nx, ny, nz};
    int[] stride = {1, nx, nx * ny};
    for (int axis = 0; axis < 3; axis++) {
      int len = n[axis];
      int st = stride[axis];
      int a1 = (axis + 1) % 3;
      int a2 = (axis + 2) % 3;
      double[] line = new double[len];
      for (int p2 = 0; p2 < n[a2]; p2++) {
        for (int p1 = 0; p1 < n[a1]; p1++) {
          int base = p1 * stride[a1] + p2 * stride[a2];
          for (int q = 0; q < len; q++) {
            line[q] = data[base + q * st];
          }
          for (int q = 0; q < len; q++) {
            double s = 0;
            for (int r = -half; r <= half; r++) {
              s += k[r + half] * line[Math.max(0, Math.min(len - 1, q + r))];
            }
            data[base + q * st] = (float) s;
          }
        }
      }
    }
  }
}
