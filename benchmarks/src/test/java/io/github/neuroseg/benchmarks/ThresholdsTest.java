package io.github.neuroseg.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.volume.Volume;
import io.github.neuroseg.volume.VoxelSize;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ThresholdsTest {
  private static final long SEED = 0x7E_2026L;

  /**
   * The separable filter equals the direct 3D convolution with the product kernel, taps out to
   * 4 sigma, edge voxels repeated outside the volume.
   */
  @Test
  void gaussianEqualsTheDirectConvolution() {
    qt().withFixedSeed(SEED).withExamples(30).forAll(longs().all()).checkAssert(seed -> {
      SplittableRandom r = new SplittableRandom(seed);
      int nx = r.nextInt(1, 11);
      int ny = r.nextInt(1, 11);
      int nz = r.nextInt(1, 7);
      double sigma = r.nextDouble(0.3, 2);
      float[] v = new float[nx * ny * nz];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextDouble(0, 255);
      }
      float[] f = v.clone();
      Thresholds.gaussian(f, nx, ny, nz, sigma);
      int half = Math.max(1, (int) Math.ceil(4 * sigma));
      double norm = 0;
      for (int i = -half; i <= half; i++) {
        norm += Math.exp(-0.5 * i * i / (sigma * sigma));
      }
      for (int z = 0; z < nz; z++) {
        for (int y = 0; y < ny; y++) {
          for (int x = 0; x < nx; x++) {
            double s = 0;
            for (int c = -half; c <= half; c++) {
              for (int b = -half; b <= half; b++) {
                for (int a = -half; a <= half; a++) {
                  double w = Math.exp(-0.5 * (a * a + b * b + c * c) / (sigma * sigma));
                  int xx = Math.max(0, Math.min(nx - 1, x + a));
                  int yy = Math.max(0, Math.min(ny - 1, y + b));
                  int zz = Math.max(0, Math.min(nz - 1, z + c));
                  s += w * v[(zz * ny + yy) * nx + xx];
                }
              }
            }
            s /= norm * norm * norm;
            assertEquals(s, f[(z * ny + y) * nx + x], 1e-3,
                "SEED=" + SEED + " example seed=" + seed + " at " + x + "," + y + "," + z);
          }
        }
      }
    });
  }

  /** APP2's rule by hand: mean 2.5 and std 1.118 of 1..4, so only voxels above 3.06 pass. */
  @Test
  void meanHalfStdByHand() {
    Volume v = Volume.ofFloats(new float[] {1, 2, 3, 4, 4, 3, 2, 1}, 2, 2, 2, VoxelSize.UNIT);
    byte[] m = Thresholds.meanHalfStd(v).update(null).getCurrentStorageArray();
    assertEquals("[0, 0, 0, 1, 1, 0, 0, 0]", java.util.Arrays.toString(m));
    // a constant volume: nothing is above its mean
    Volume flat = Volume.ofFloats(new float[] {7, 7, 7, 7}, 2, 2, 1, VoxelSize.UNIT);
    assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(
        Thresholds.gaussThreeStd(flat).update(null).getCurrentStorageArray()));
  }

  /** One bright voxel in a dark volume survives smoothing and mean + 3 std; the rest do not. */
  @Test
  void gaussThreeStdKeepsABrightSpot() {
    int n = 9;
    float[] d = new float[n * n * n];
    d[(4 * n + 4) * n + 4] = 1000;
    byte[] m = Thresholds.gaussThreeStd(Volume.ofFloats(d, n, n, n, VoxelSize.UNIT))
        .update(null).getCurrentStorageArray();
    int count = 0;
    for (byte b : m) {
      count += b;
    }
    assertEquals(1, m[(4 * n + 4) * n + 4]);
    // taps 0.399, 0.242, 0.054: the centre gets 63.5, its 6 face neighbours 38.5, the 12 edge
    // neighbours 23.4, the 8 corners 14.2 and voxels two steps away 8.6; mean 1000 / 729 = 1.37,
    // std 5.38 (sum of squares 1e6 * 0.2821^3), so mean + 3 std = 17.5 keeps 1 + 6 + 12 voxels
    assertEquals(19, count);
  }
}
