package io.github.neuroseg.train;

import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.model.FloatTensor;
import java.util.Map;

/**
 * A naive, loop-by-loop double-precision implementation of the network, written from the
 * architecture description and independent of DJL: the reference the DJL model is checked against.
 */
final class ReferenceVit {
  private final VitArchitecture c;
  private final Map<String, FloatTensor> w;

  ReferenceVit(VitArchitecture c, Map<String, FloatTensor> w) {
    this.c = c;
    this.w = w;
  }

  /** Logits [H][W] of one block [D][H][W]. */
  double[][] forward(double[][][] block) {
    int d = c.inputDepth();
    int p = c.patch();
    int gh = c.gridHeight();
    int gw = c.gridWidth();
    int e = c.embedDim();
    int t = gh * gw;
    double[][] x = new double[t + 1][e];
    float[] pk = w.get("patch_embed.proj.weight").values();
    float[] pb = w.get("patch_embed.proj.bias").values();
    for (int ty = 0; ty < gh; ty++) {
      for (int tx = 0; tx < gw; tx++) {
        double[] tok = x[1 + ty * gw + tx];
        for (int o = 0; o < e; o++) {
          double s = pb[o];
          for (int z = 0; z < d; z++) {
            for (int dy = 0; dy < p; dy++) {
              for (int dx = 0; dx < p; dx++) {
                s += pk[((o * d + z) * p + dy) * p + dx] * block[z][ty * p + dy][tx * p + dx];
              }
            }
          }
          tok[o] = s;
        }
      }
    }
    float[] cls = w.get("cls_token").values();
    for (int o = 0; o < e; o++) {
      x[0][o] = cls[o];
    }
    float[] pos = w.get("pos_embed").values();
    for (int i = 0; i <= t; i++) {
      for (int o = 0; o < e; o++) {
        x[i][o] += pos[i * e + o];
      }
    }
    int r = c.registers();
    if (r > 0) {
      // registers after the class token, without position embedding
      float[] reg = w.get("reg_token").values();
      double[][] y = new double[t + 1 + r][];
      y[0] = x[0];
      for (int k = 0; k < r; k++) {
        y[1 + k] = new double[e];
        for (int o = 0; o < e; o++) {
          y[1 + k][o] = reg[k * e + o];
        }
      }
      System.arraycopy(x, 1, y, 1 + r, t);
      x = y;
    }
    for (int l = 0; l < c.layers(); l++) {
      String b = "blocks." + l + ".";
      double[][] a = attention(norm(x, b + "norm1"), b + "attn");
      add(x, scaled(a, b + "ls1.gamma"));
      double[][] h = linear(norm(x, b + "norm2"), b + "mlp.fc1");
      for (double[] row : h) {
        for (int i = 0; i < row.length; i++) {
          row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
        }
      }
      add(x, scaled(linear(h, b + "mlp.fc2"), b + "ls2.gamma"));
    }
    x = norm(x, "norm");
    double[][] tokens = new double[t][];
    System.arraycopy(x, 1 + r, tokens, 0, t);
    double[][] pix = linear(tokens, "head");
    double[][] out = new double[c.tileHeight()][c.tileWidth()];
    for (int ty = 0; ty < gh; ty++) {
      for (int tx = 0; tx < gw; tx++) {
        for (int dy = 0; dy < p; dy++) {
          for (int dx = 0; dx < p; dx++) {
            out[ty * p + dy][tx * p + dx] = pix[ty * gw + tx][dy * p + dx];
          }
        }
      }
    }
    return out;
  }

  private double[][] attention(double[][] x, String prefix) {
    int e = c.embedDim();
    int hd = c.headDim();
    int n = x.length;
    double[][] qkv = linear(x, prefix + ".qkv");
    double[][] o = new double[n][e];
    for (int h = 0; h < c.heads(); h++) {
      for (int i = 0; i < n; i++) {
        double[] s = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          double dot = 0;
          for (int k = 0; k < hd; k++) {
            dot += qkv[i][h * hd + k] * qkv[j][e + h * hd + k];
          }
          s[j] = dot / Math.sqrt(hd);
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (int j = 0; j < n; j++) {
          for (int k = 0; k < hd; k++) {
            o[i][h * hd + k] += s[j] / sum * qkv[j][2 * e + h * hd + k];
          }
        }
      }
    }
    return linear(o, prefix + ".proj");
  }

  private double[][] linear(double[][] x, String prefix) {
    FloatTensor wt = w.get(prefix + ".weight");
    float[] wb = w.get(prefix + ".bias").values();
    int out = (int) wt.shape()[0];
    int in = (int) wt.shape()[1];
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = wb[o];
        for (int i = 0; i < in; i++) {
          s += wt.values()[o * in + i] * x[r][i];
        }
        y[r][o] = s;
      }
    }
    return y;
  }

  private double[][] norm(double[][] x, String prefix) {
    float[] g = w.get(prefix + ".weight").values();
    float[] b = w.get(prefix + ".bias").values();
    double[][] y = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      double m = 0;
      for (double v : x[r]) {
        m += v;
      }
      m /= x[r].length;
      double var = 0;
      for (double v : x[r]) {
        var += (v - m) * (v - m);
      }
      var /= x[r].length;
      y[r] = new double[x[r].length];
      for (int i = 0; i < x[r].length; i++) {
        y[r][i] = (x[r][i] - m) / Math.sqrt(var + 1e-6) * g[i] + b[i];
      }
    }
    return y;
  }

  /** A branch output times its LayerScale factors, when the network has them. */
  private double[][] scaled(double[][] a, String gamma) {
    if (!c.layerScale()) {
      return a;
    }
    float[] g = w.get(gamma).values();
    for (double[] row : a) {
      for (int i = 0; i < row.length; i++) {
        row[i] *= g[i];
      }
    }
    return a;
  }

  private static void add(double[][] x, double[][] a) {
    for (int r = 0; r < x.length; r++) {
      for (int i = 0; i < x[r].length; i++) {
        x[r][i] += a[r][i];
      }
    }
  }

  /** erf by its Taylor series (|x| < 4; beyond, erf is +-1 within 2e-8). */
  static double erf(double x) {
    if (Math.abs(x) >= 4) {
      return Math.signum(x);
    }
    double sum = 0;
    double term = x;
    for (int n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }
}
