package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;

/** The sparse separable EDT against a brute-force minimum over all background voxels. */
class DistanceTransformTest {

  /** Distance from each foreground voxel to the nearest background voxel, outside included. */
  static double bruteForce(byte[] m, int nx, int ny, int nz, int x, int y, int z, double[] v) {
    // outside the image everything is background: the nearest such voxel is straight out
    double best = Double.POSITIVE_INFINITY;
    best = Math.min(best, Math.min(x + 1, nx - x) * v[0]);
    best = Math.min(best, Math.min(y + 1, ny - y) * v[1]);
    best = Math.min(best, Math.min(z + 1, nz - z) * v[2]);
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          if (m[(k * ny + j) * nx + i] == 0) {
            double dx = (i - x) * v[0];
            double dy = (j - y) * v[1];
            double dz = (k - z) * v[2];
            best = Math.min(best, Math.sqrt(dx * dx + dy * dy + dz * dz));
          }
        }
      }
    }
    return best;
  }

  static ArrayImg<UnsignedByteType, ByteArray> randomMask(
      long seed, int nx, int ny, int nz, double density) {
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(nx, ny, nz);
    byte[] m = img.update(null).getCurrentStorageArray();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < m.length; i++) {
      m[i] = (byte) (rnd.nextDouble() < density ? 1 : 0);
    }
    return img;
  }

  @Test
  void matchesBruteForceOnRandomMasks() {
    qt().withFixedSeed(20261125L).withExamples(300)
        .forAll(longs().all(), integers().between(0, 728), doubles().between(0.3, 1.0),
            doubles().between(0.3, 3.0))
        .checkAssert((seed, size, density, vz) -> {
          int nx = 1 + size % 9;
          int ny = 1 + size / 9 % 9;
          int nz = 1 + size / 81;
          double[] v = {1.0, 0.5 + (seed & 3) * 0.25, vz};
          ArrayImg<UnsignedByteType, ByteArray> img = randomMask(seed, nx, ny, nz, density);
          byte[] m = img.update(null).getCurrentStorageArray();
          ForegroundSet fg = ForegroundSet.of(img, 0.5, null);
          float[] d = DistanceTransform.compute(fg, v[0], v[1], v[2]);
          int count = 0;
          for (int k = 0; k < nz; k++) {
            for (int j = 0; j < ny; j++) {
              for (int i = 0; i < nx; i++) {
                if (m[(k * ny + j) * nx + i] != 0) {
                  int id = fg.find(i, j, k);
                  assertEquals(count++, id, "raster order ids");
                  assertEquals(bruteForce(m, nx, ny, nz, i, j, k, v), d[id], 1e-5,
                      "voxel " + i + "," + j + "," + k);
                }
              }
            }
          }
          assertEquals(count, fg.size());
        });
  }

  @Test
  void solidBlockDistanceIsDistanceToTheImageBorder() {
    ArrayImg<UnsignedByteType, ByteArray> img = randomMask(1, 7, 5, 3, 2.0); // all foreground
    ForegroundSet fg = ForegroundSet.of(img, 0.5, null);
    float[] d = DistanceTransform.compute(fg, 1, 1, 2);
    assertEquals(105, fg.size());
    assertEquals(3, d[fg.find(3, 2, 1)], 0); // min(4 along x, 3 along y, 2*2 along z)
    assertEquals(1, d[fg.find(0, 2, 1)], 0);
  }
}
