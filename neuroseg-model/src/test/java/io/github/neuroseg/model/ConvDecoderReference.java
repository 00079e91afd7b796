package io.github.neuroseg.model;

import io.github.neuroseg.training.VitArchitecture;
import java.util.Map;

/**
 * A plain-Java forward pass of the {@link VitArchitecture.Head#CONV} decoder, written from its
 * description (loops over pixels and channels in double precision), to check the ONNX graph
 * against.
 */
final class ConvDecoderReference {
  private ConvDecoderReference() {}

  /**
   * The logits {@code [H * W]} of one block.
   *
   * @param tokens {@code [T][E]} after the final norm
   * @param img the block {@code [D][H][W]}
   */
  static float[] decode(VitArchitecture s, Map<String, FloatTensor> w, double[][] tokens,
      float[] img) {
    int e = s.embedDim();
    int gh = s.gridHeight();
    int gw = s.gridWidth();
    double[][][] map = new double[e][gh][gw];
    for (int t = 0; t < tokens.length; t++) {
      for (int c = 0; c < e; c++) {
        map[c][t / gw][t % gw] = tokens[t][c];
      }
    }
    double[][][] f = relu(transposed(map, w.get("head.proj.weight"), w.get("head.proj.bias"),
        s.firstUpsampling()));
    for (int i = 1; i <= s.decoderStages(); i++) {
      f = relu(transposed(f, w.get("head.up" + i + ".weight"), w.get("head.up" + i + ".bias"),
          2));
      f = relu(conv(f, w.get("head.conv" + i + ".weight"), w.get("head.conv" + i + ".bias")));
    }
    int h = s.tileHeight();
    int wd = s.tileWidth();
    double[][][] centre = new double[1][h][wd];
    int z = s.inputDepth() / 2;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < wd; x++) {
        centre[0][y][x] = img[(z * h + y) * wd + x];
      }
    }
    double[][][] skip = relu(conv(centre, w.get("head.skip.weight"), w.get("head.skip.bias")));
    double[][][] cat = new double[f.length + skip.length][][];
    System.arraycopy(f, 0, cat, 0, f.length);
    System.arraycopy(skip, 0, cat, f.length, skip.length);
    double[][][] fused = relu(conv(cat, w.get("head.fuse.weight"), w.get("head.fuse.bias")));
    double[][][] out = conv(fused, w.get("head.out.weight"), w.get("head.out.bias"));
    float[] logits = new float[h * wd];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < wd; x++) {
        logits[y * wd + x] = (float) out[0][y][x];
      }
    }
    return logits;
  }

  /** {@code out[o][y][x] = b[o] + sum in[c][y+ky-k/2][x+kx-k/2] W[o][c][ky][kx]}, zero padded. */
  static double[][][] conv(double[][][] in, FloatTensor weight, FloatTensor bias) {
    int[] sh = weight.shape();
    int outC = sh[0];
    int inC = sh[1];
    int k = sh[2];
    int h = in[0].length;
    int wd = in[0][0].length;
    float[] wv = weight.values();
    double[][][] out = new double[outC][h][wd];
    for (int o = 0; o < outC; o++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < wd; x++) {
          double v = bias.values()[o];
          for (int c = 0; c < inC; c++) {
            for (int ky = 0; ky < k; ky++) {
              int yy = y + ky - k / 2;
              if (yy < 0 || yy >= h) {
                continue;
              }
              for (int kx = 0; kx < k; kx++) {
                int xx = x + kx - k / 2;
                if (xx >= 0 && xx < wd) {
                  v += in[c][yy][xx] * wv[((o * inC + c) * k + ky) * k + kx];
                }
              }
            }
          }
          out[o][y][x] = v;
        }
      }
    }
    return out;
  }

  /** Kernel = stride = {@code k}: {@code out[o][ky + k y][kx + k x] = b[o] + sum in W[c][o]}. */
  static double[][][] transposed(double[][][] in, FloatTensor weight, FloatTensor bias, int k) {
    int[] sh = weight.shape();
    int inC = sh[0];
    int outC = sh[1];
    int h = in[0].length;
    int wd = in[0][0].length;
    float[] wv = weight.values();
    double[][][] out = new double[outC][h * k][wd * k];
    for (int o = 0; o < outC; o++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < wd; x++) {
          for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
              double v = bias.values()[o];
              for (int c = 0; c < inC; c++) {
                v += in[c][y][x] * wv[((c * outC + o) * k + ky) * k + kx];
              }
              out[o][y * k + ky][x * k + kx] = v;
            }
          }
        }
      }
    }
    return out;
  }

  static double[][][] relu(double[][][] a) {
    for (double[][] plane : a) {
      for (double[] row : plane) {
        for (int i = 0; i < row.length; i++) {
          row[i] = Math.max(0, row[i]);
        }
      }
    }
    return a;
  }
}
