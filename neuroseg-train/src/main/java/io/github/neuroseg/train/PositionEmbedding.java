package io.github.neuroseg.train;

/**
 * Bicubic resampling of a square grid of position embeddings to another grid, as PyTorch's {@code
 * interpolate(mode="bicubic", align_corners=False)} with a target size (the way timm resamples
 * absolute position embeddings): source coordinate {@code (dst + 0.5) * in / out - 0.5}, the
 * cubic convolution kernel with {@code a = -0.75}, border samples repeated. The class token is
 * kept as it is.
 */
final class PositionEmbedding {
  private static final double A = -0.75;

  private PositionEmbedding() {}

  /**
   * Resamples {@code [1 + gridIn*gridIn, e]} embeddings (class token first, then the grid row by
   * row) to {@code [1 + outH * outW, e]}.
   */
  static float[] resample(float[] pos, int e, int inH, int inW, int outH, int outW) {
    if (pos.length != (1 + inH * inW) * e) {
      throw new IllegalArgumentException("expected " + (1 + inH * inW) * e + " values");
    }
    float[] out = new float[(1 + outH * outW) * e];
    System.arraycopy(pos, 0, out, 0, e);
    if (inH == outH && inW == outW) {
      System.arraycopy(pos, e, out, e, inH * inW * e);
      return out;
    }
    // separable: along x first into [inH, outW], then along y
    double[] tmp = new double[inH * outW * e];
    for (int x = 0; x < outW; x++) {
      int[] idx = new int[4];
      double[] w = new double[4];
      taps(x, inW, outW, idx, w);
      for (int y = 0; y < inH; y++) {
        for (int c = 0; c < e; c++) {
          double s = 0;
          for (int k = 0; k < 4; k++) {
            s += w[k] * pos[(1 + y * inW + idx[k]) * e + c];
          }
          tmp[(y * outW + x) * e + c] = s;
        }
      }
    }
    for (int y = 0; y < outH; y++) {
      int[] idx = new int[4];
      double[] w = new double[4];
      taps(y, inH, outH, idx, w);
      for (int x = 0; x < outW; x++) {
        for (int c = 0; c < e; c++) {
          double s = 0;
          for (int k = 0; k < 4; k++) {
            s += w[k] * tmp[(idx[k] * outW + x) * e + c];
          }
          out[(1 + y * outW + x) * e + c] = (float) s;
        }
      }
    }
    return out;
  }

  /** The four source indices (clamped) and weights of output position {@code dst}. */
  static void taps(int dst, int in, int out, int[] idx, double[] w) {
    double src = (dst + 0.5) * in / out - 0.5;
    int f = (int) Math.floor(src);
    double t = src - f;
    w[0] = far(t + 1);
    w[1] = near(t);
    w[2] = near(1 - t);
    w[3] = far(2 - t);
    for (int k = 0; k < 4; k++) {
      idx[k] = Math.max(0, Math.min(in - 1, f - 1 + k));
    }
  }

  private static double near(double x) {
    return ((A + 2) * x - (A + 3)) * x * x + 1;
  }

  private static double far(double x) {
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  }
}
