package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.training.LabeledVolume;
import java.util.ArrayList;
import java.util.List;
import net.imglib2.img.array.ArrayImgs;

/**
 * Whole-volume prediction with a {@link VitModel} and scoring against ground truth: every z slice
 * is predicted as the centre of a block (slices past the top and bottom are mirrored into the
 * volume, as in inference),
 * the xy plane is covered by tiles (the last row and column of tiles aligned to the border), the
 * intensities are normalised as in training ({@code percentile:0.5,99.5}, see {@link
 * io.github.neuroseg.volume.Normalization}).
 */
public final class Evaluation {
  private static final int BATCH = 32;

  private Evaluation() {}

  /**
   * Foreground probabilities of every voxel of a labelled volume, laid out x fastest.
   *
   * @throws InvalidInputException when the volume is smaller than the tile
   */
  public static float[] probabilities(VitModel model, LabeledVolume volume) {
    return probabilities(model, new PreparedVolume(volume, model.config()));
  }

  static float[] probabilities(VitModel model, PreparedVolume v) {
    VitConfig c = model.config();
    int d = c.inputDepth();
    int h = c.tileHeight();
    int w = c.tileWidth();
    List<int[]> pos = new ArrayList<>();
    for (int z = 0; z < v.nz; z++) {
      for (int y0 : starts(v.ny, h)) {
        for (int x0 : starts(v.nx, w)) {
          pos.add(new int[] {x0, y0, z});
        }
      }
    }
    float[] prob = new float[v.nx * v.ny * v.nz];
    int per = d * h * w;
    for (int b = 0; b < pos.size(); b += BATCH) {
      int n = Math.min(BATCH, pos.size() - b);
      float[] in = new float[n * per];
      for (int k = 0; k < n; k++) {
        int[] p = pos.get(b + k);
        v.block(p[0], p[1], p[2], d, h, w, in, k * per);
      }
      float[] logits = model.predictLogits(in, n);
      for (int k = 0; k < n; k++) {
        int[] p = pos.get(b + k);
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            double l = logits[(k * h + y) * w + x];
            prob[(p[2] * v.ny + p[1] + y) * v.nx + p[0] + x] = (float) (1 / (1 + Math.exp(-l)));
          }
        }
      }
    }
    return prob;
  }

  private static int[] starts(int size, int tile) {
    int n = (size + tile - 1) / tile;
    int[] s = new int[n];
    for (int i = 0; i < n; i++) {
      s[i] = Math.min(i * tile, size - tile);
    }
    return s;
  }

  /**
   * Dice and HD95 of the thresholded prediction of each volume, and their means.
   *
   * @throws InvalidInputException when {@code volumes} is empty
   */
  public static SegmentationMetrics.Summary evaluate(VitModel model, List<LabeledVolume> volumes,
      double threshold) {
    if (volumes.isEmpty()) {
      throw new InvalidInputException("need at least one volume to evaluate, got none");
    }
    List<SegmentationMetrics.VolumeScores> scores = new ArrayList<>();
    for (LabeledVolume lv : volumes) {
      PreparedVolume v = new PreparedVolume(lv, model.config());
      scores.add(score(probabilities(model, v), v, threshold));
    }
    return SegmentationMetrics.mean(scores);
  }

  static SegmentationMetrics.VolumeScores score(float[] prob, PreparedVolume v, double t) {
    byte[] pred = new byte[prob.length];
    for (int i = 0; i < prob.length; i++) {
      pred[i] = (byte) (prob[i] >= t ? 1 : 0);
    }
    return SegmentationMetrics.score(ArrayImgs.unsignedBytes(pred, v.nx, v.ny, v.nz),
        ArrayImgs.unsignedBytes(v.mask, v.nx, v.ny, v.nz), v.voxelSize);
  }

  /**
   * The threshold in {0.05, 0.10, ..., 0.95} that maximises the mean per-volume Dice (the
   * reported score; pooling all voxels instead would let one dense volume decide alone).
   */
  static double calibrate(List<float[]> probs, List<PreparedVolume> volumes) {
    int steps = 19;
    double[] meanDice = new double[steps];
    for (int k = 0; k < probs.size(); k++) {
      float[] p = probs.get(k);
      byte[] m = volumes.get(k).mask;
      long[] tp = new long[steps];
      long[] pred = new long[steps];
      long gt = 0;
      for (int i = 0; i < p.length; i++) {
        gt += m[i];
        // thresholds t_j = 0.05 (j + 1): p >= t_j for j <= floor(p / 0.05) - 1
        int top = Math.min(steps, (int) Math.floor(p[i] / 0.05 + 1e-9));
        for (int j = 0; j < top; j++) {
          pred[j]++;
          tp[j] += m[i];
        }
      }
      for (int j = 0; j < steps; j++) {
        meanDice[j] += (pred[j] + gt == 0 ? 1 : 2.0 * tp[j] / (pred[j] + gt)) / probs.size();
      }
    }
    double best = -1;
    double bestT = 0.5;
    for (int j = 0; j < steps; j++) {
      if (meanDice[j] > best + 1e-12) {
        best = meanDice[j];
        bestT = 0.05 * (j + 1);
      }
    }
    return Math.round(bestT * 100) / 100.0;
  }
}
