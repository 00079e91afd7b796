package io.github.neuroseg.synth;

/** Separable Gaussian blur of a float image (x fastest), zero outside the image. */
final class Blur {
  private Blur() {}

  static void gaussian(float[] data, int nx, int ny, int nz, double sx, double sy, double sz) {
    int[] n = {nx, ny, nz};
    int[] stride = {1, nx, nx * ny};
    double[] sigma = {sx, sy, sz};
    for (int axis = 0; axis < 3; axis++) {
      if (sigma[axis] <= 0) {
        continue;
      }
      double[] kernel = kernel(sigma[axis]);
      int half = kernel.length / 2;
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
            int from = Math.max(0, q - half);
            int to = Math.min(len - 1, q + half);
            for (int r = from; r <= to; r++) {
              s += kernel[r - q + half] * line[r];
            }
            data[base + q * st] = (float) s;
          }
        }
      }
    }
  }

  /** Normalised Gaussian taps out to 3 sigma. */
  static double[] kernel(double sigma) {
    int half = Math.max(1, (int) Math.ceil(3 * sigma));
    double[] k = new double[2 * half + 1];
    double sum = 0;
    for (int i = -half; i <= half; i++) {
      k[i + half] = Math.exp(-0.5 * i * i / (sigma * sigma));
      sum += k[i + half];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    return k;
  }
}
