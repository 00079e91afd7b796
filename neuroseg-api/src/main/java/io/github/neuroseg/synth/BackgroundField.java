package io.github.neuroseg.synth;

import java.util.SplittableRandom;

/**
 * The structured background of {@link NeuronRenderer}: a smooth stationary random field plus a
 * linear ramp, added to the mean background count.
 *
 * <p>The field is white Gaussian noise filtered with an isotropic Gaussian of {@code sigma =
 * correlation / sqrt(2)} voxels, which gives a correlation of {@code exp(-d^2 / (2
 * correlation^2))} between voxels {@code d} apart (up to the kernel's cut at 3 sigma). The filter
 * sees zeros outside the image, which would lower the variance near the borders; the exact
 * variance at each voxel is the product over the axes of the squared taps that fall inside, so
 * dividing by its square root gives unit variance everywhere before scaling to {@code amplitude}.
 */
final class BackgroundField {
  private BackgroundField() {}

  /**
   * The field, x fastest.
   *
   * @param amplitude standard deviation of the random part, counts (0: none)
   * @param correlation correlation length of the random part, voxels (> 0)
   * @param gradient total rise of the ramp from the first to the last voxel along x, y and z
   * @param rnd the random stream of the field (used only when {@code amplitude > 0})
   */
  static float[] render(int nx, int ny, int nz, double amplitude, double correlation,
      double[] gradient, SplittableRandom rnd) {
    float[] f = new float[nx * ny * nz];
    if (amplitude > 0) {
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) NeuronGenerator.gaussian(rnd);
      }
      double sigma = correlation / Math.sqrt(2);
      Blur.gaussian(f, nx, ny, nz, sigma, sigma, sigma);
      double[] kernel = Blur.kernel(sigma);
      double[] sx = inverseStd(kernel, nx);
      double[] sy = inverseStd(kernel, ny);
      double[] sz = inverseStd(kernel, nz);
      for (int z = 0; z < nz; z++) {
        for (int y = 0; y < ny; y++) {
          double s = amplitude * sz[z] * sy[y];
          int row = (z * ny + y) * nx;
          for (int x = 0; x < nx; x++) {
            f[row + x] = (float) (f[row + x] * s * sx[x]);
          }
        }
      }
    }
    double[] rx = ramp(gradient[0], nx);
    double[] ry = ramp(gradient[1], ny);
    double[] rz = ramp(gradient[2], nz);
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        double base = rz[z] + ry[y];
        int row = (z * ny + y) * nx;
        for (int x = 0; x < nx; x++) {
          f[row + x] = (float) (f[row + x] + base + rx[x]);
        }
      }
    }
    return f;
  }

  /**
   * Per position along an axis of {@code n} voxels, {@code 1 / sqrt(sum of the squared taps
   * inside the axis)}: the factor that restores unit variance of filtered unit white noise.
   */
  static double[] inverseStd(double[] kernel, int n) {
    int half = kernel.length / 2;
    double[] out = new double[n];
    for (int q = 0; q < n; q++) {
      double s = 0;
      for (int r = Math.max(0, q - half); r <= Math.min(n - 1, q + half); r++) {
        double k = kernel[r - q + half];
        s += k * k;
      }
      out[q] = 1 / Math.sqrt(s);
    }
    return out;
  }

  /** A ramp rising by {@code total} from the first to the last of {@code n} voxels, mean 0. */
  private static double[] ramp(double total, int n) {
    double[] r = new double[n];
    if (n > 1 && total != 0) {
      for (int q = 0; q < n; q++) {
        r[q] = total * ((double) q / (n - 1) - 0.5);
      }
    }
    return r;
  }
}
