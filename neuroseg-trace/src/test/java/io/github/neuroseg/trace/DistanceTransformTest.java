package io.github.neuroseg.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

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

  /** A 0/1 mask of {@code nx * ny * nz} voxels, x fastest. */
  record Mask(int nx, int ny, int nz, byte[] voxels) {
    ArrayImg<UnsignedByteType, ByteArray> image() {
      return ArrayImgs.unsignedBytes(voxels.clone(), nx, ny, nz);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(nx + " x " + ny + " x " + nz + ":");
      for (int i = 0; i < voxels.length; i++) {
        b.append(i % (nx * ny) == 0 ? " | " : i % nx == 0 ? " " : "").append(voxels[i]);
      }
      return b.toString();
    }
  }

  /** Masks of 1-9 voxels a side with a foreground density between 0.3 and 1. */
  static Gen<Mask> masks() {
    return integers().between(1, 9).zip(integers().between(1, 9), integers().between(1, 9),
        (nx, ny, nz) -> new int[] {nx, ny, nz})
        .flatMap(d -> doubles().between(0.3, 1.0).flatMap(density ->
            lists().of(doubles().between(0, 1)).ofSize(d[0] * d[1] * d[2]).map(u -> {
              byte[] m = new byte[u.size()];
              for (int i = 0; i < m.length; i++) {
                m[i] = (byte) (u.get(i) < density ? 1 : 0);
              }
              return new Mask(d[0], d[1], d[2], m);
            })));
  }

  @Test
  void matchesBruteForceOnRandomMasks() {
    qt().withFixedSeed(20261125L).withExamples(300)
        .forAll(masks(), integers().between(0, 3), doubles().between(0.3, 3.0))
        .checkAssert((mask, vyStep, vz) -> {
          int nx = mask.nx();
          int ny = mask.ny();
          int nz = mask.nz();
          double[] v = {1.0, 0.5 + vyStep * 0.25, vz};
          byte[] m = mask.voxels();
          ForegroundSet fg = ForegroundSet.of(mask.image(), 0.5, null);
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
    ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(7, 5, 3);
    Arrays.fill(img.update(null).getCurrentStorageArray(), (byte) 1);
    ForegroundSet fg = ForegroundSet.of(img, 0.5, null);
    float[] d = DistanceTransform.compute(fg, 1, 1, 2);
    assertEquals(105, fg.size());
    assertEquals(3, d[fg.find(3, 2, 1)], 0); // min(4 along x, 3 along y, 2*2 along z)
    assertEquals(1, d[fg.find(0, 2, 1)], 0);
  }
}
