package io.github.neuroseg.train;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ProgressListener;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.model.internal.TilePlan;
import io.github.neuroseg.model.internal.TiledPrediction;
import io.github.neuroseg.segmentation.Blending;
import io.github.neuroseg.segmentation.SegmenterConfig;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Normalization;
import java.nio.FloatBuffer;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Whole-volume prediction with a {@link VitModel} and scoring against ground truth, through the
 * same tiling and stitching as {@code segment()} ({@link TiledPrediction}) with the segmenter's
 * default settings: a quarter-tile overlap ({@link SegmenterConfig#defaultOverlap}), Gaussian
 * blending and the training normalisation (applied when the volume was prepared). So the
 * validation Dice and the calibrated threshold are those a user gets from the exported model.
 */
final class Evaluation {
  /** Tiles per forward pass; the result does not depend on it. */
  private static final int BATCH = 32;
  /** The normalisation was applied when the volume was prepared: pass values unchanged. */
  private static final Normalization.Range PREPARED = new Normalization.Range(0, 1);

  private Evaluation() {}

  /** Foreground probabilities of every voxel of a prepared volume, laid out x fastest. */
  static float[] probabilities(VitModel model, PreparedVolume v) {
    VitArchitecture c = model.config();
    TilePlan plan = TilePlan.of(v.nx, v.ny, v.nz, c.tileWidth(), c.tileHeight(),
        SegmenterConfig.defaultOverlap(c.tileWidth(), c.tileHeight()), c.inputDepth());
    ArrayImg<FloatType, FloatArray> prob = ArrayImgs.floats(v.nx, v.ny, v.nz);
    new TiledPrediction(plan, Blending.GAUSSIAN, BATCH, 1, false, "validate",
        ProgressListener.NONE)
        .run(ArrayImgs.floats(v.image, v.nx, v.ny, v.nz), PREPARED, prob,
            (FloatBuffer input, int count) -> {
              float[] blocks = new float[input.remaining()];
              input.duplicate().get(blocks);
              return model.predictLogits(blocks, count);
            });
    return prob.update(null).getCurrentStorageArray();
  }

  /**
   * Dice and HD95 of the thresholded prediction of each volume, and their means.
   *
   * @throws InvalidInputException when {@code volumes} is empty
   */
  static SegmentationMetrics.Summary evaluate(VitModel model, List<PreparedVolume> volumes,
      double threshold) {
    if (volumes.isEmpty()) {
      throw new InvalidInputException("need at least one volume to evaluate, got none");
    }
    return SegmentationMetrics.mean(volumes.stream()
        .map(v -> score(probabilities(model, v), v, threshold)).toList());
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
