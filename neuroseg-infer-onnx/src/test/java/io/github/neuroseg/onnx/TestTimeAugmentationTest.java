package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.NeuroSeg;
import io.github.neuroseg.model.VitOnnxWriter;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.Segmenter;
import io.github.neuroseg.training.VitArchitecture;
import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Map;
import java.util.SplittableRandom;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;
import org.junit.jupiter.api.Test;

/** Flipped predictions averaged before stitching: what test-time augmentation promises. */
class TestTimeAugmentationTest {
  private static final int T = 16;

  private static byte[] vit() {
    VitArchitecture a = new VitArchitecture(8, 1, 2, 4, 3, T, T, VitArchitecture.Head.CONV);
    return VitOnnxWriter.write(a, VitWeights.random(a, 4, 0.3),
        Map.of("normalization", "fixed:0,1", "threshold", "0.5"));
  }

  private static float[] volume(int d, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[T * T * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    return v;
  }

  /** The volume flipped in x and/or y. */
  private static float[] flip(float[] v, int d, boolean fx, boolean fy) {
    float[] out = new float[v.length];
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < T; y++) {
        for (int x = 0; x < T; x++) {
          out[(z * T + y) * T + x] = v[(z * T + (fy ? T - 1 - y : y)) * T + (fx ? T - 1 - x : x)];
        }
      }
    }
    return out;
  }

  private static float[] probabilities(Segmenter s, float[] v, int d) {
    RandomAccessibleInterval<FloatType> p =
        s.segment(Volume.ofFloats(v, T, T, d, VoxelSize.UNIT)).probabilities();
    float[] out = new float[v.length];
    RandomAccess<FloatType> ra = p.randomAccess();
    for (int i = 0; i < out.length; i++) {
      ra.setPosition(new int[] {i % T, i / T % T, i / (T * T)});
      out[i] = ra.get().get();
    }
    return out;
  }

  @Test
  void averagesTheFourFlipsOfEachTile() {
    int d = 3;
    float[] v = volume(d, 8);
    byte[] model = vit();
    // one tile per slice, so that flipping the volume flips exactly that tile
    try (Segmenter plain = NeuroSeg.segmenter().model(ModelSource.bytes("vit", model)).build();
        Segmenter tta = NeuroSeg.segmenter().model(ModelSource.bytes("vit", model))
            .testTimeAugmentation(true).batchSize(3).build()) {
      assertTrue(tta.config().testTimeAugmentation());
      double[] want = new double[v.length];
      for (int f = 0; f < 4; f++) {
        boolean fx = (f & 1) != 0;
        boolean fy = (f & 2) != 0;
        float[] back = flip(probabilities(plain, flip(v, d, fx, fy), d), d, fx, fy);
        for (int i = 0; i < want.length; i++) {
          want[i] += back[i] / 4.0;
        }
      }
      float[] got = probabilities(tta, v, d);
      float[] once = probabilities(plain, v, d);
      double maxDiff = 0;
      double changed = 0;
      for (int i = 0; i < got.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        changed = Math.max(changed, Math.abs(got[i] - once[i]));
      }
      assertTrue(maxDiff < 1e-6, "differs from the average of the flips by " + maxDiff);
      assertTrue(changed > 1e-3, "an asymmetric model must change under the flips: " + changed);
      // deterministic, and independent of the batch size
      try (Segmenter other = NeuroSeg.segmenter().model(ModelSource.bytes("vit", model))
          .testTimeAugmentation(true).batchSize(1).build()) {
        float[] again = probabilities(other, v, d);
        for (int i = 0; i < got.length; i++) {
          assertEquals(got[i], again[i], 0f);
        }
      }
    }
  }
}
