package io.github.neuroseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.volume.VoxelSize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class SegmentationMetricsTest {
  private static final long SEED = 777_2026L;

  private static ArrayImg<UnsignedByteType, ByteArray> box(
      long[] dims, int x0, int y0, int z0, int x1, int y1, int z1) {
    ArrayImg<UnsignedByteType, ByteArray> m = ArrayImgs.unsignedBytes(dims);
    byte[] d = m.update(null).getCurrentStorageArray();
    for (int z = z0; z <= z1; z++) {
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          d[(int) ((z * dims[1] + y) * dims[0] + x)] = 1;
        }
      }
    }
    return m;
  }

  @Test
  void diceOfOverlappingBoxes() {
    long[] dims = {10, 10, 10};
    // 4x4x4 = 64 and a copy shifted by 2 in x: overlap 2x4x4 = 32 -> Dice 2*32/128 = 0.5
    var a = box(dims, 1, 1, 1, 4, 4, 4);
    var b = box(dims, 3, 1, 1, 6, 4, 4);
    assertEquals(0.5, SegmentationMetrics.dice(a, b), 1e-12);
    assertEquals(1.0, SegmentationMetrics.dice(a, a), 0);
    var empty = ArrayImgs.unsignedBytes(dims);
    assertEquals(1.0, SegmentationMetrics.dice(empty, ArrayImgs.unsignedBytes(dims)), 0);
    assertEquals(0.0, SegmentationMetrics.dice(a, empty), 0);
    // float and byte inputs, nonzero = foreground, translated views compare by position
    var f = ArrayImgs.floats(dims);
    f.forEach(v -> v.set(0));
    Views.interval(f, new long[] {1, 1, 1}, new long[] {4, 4, 4}).forEach(v -> v.set(0.3f));
    assertEquals(1.0, SegmentationMetrics.dice(a, f), 0);
    assertEquals(0.5, SegmentationMetrics.dice(Views.translate(b, 5, 5, 5), f), 1e-12);
  }

  @Test
  void differentSizesAreRejected() {
    var a = ArrayImgs.unsignedBytes(4, 4, 4);
    var b = ArrayImgs.unsignedBytes(4, 4, 5);
    assertThrows(InvalidInputException.class, () -> SegmentationMetrics.dice(a, b));
    assertThrows(InvalidInputException.class,
        () -> SegmentationMetrics.hd95(a, b, VoxelSize.UNIT));
    assertThrows(InvalidInputException.class,
        () -> SegmentationMetrics.dice(a, ArrayImgs.unsignedBytes(4, 4)));
  }

  @Test
  void hd95OfTwoSingleVoxels() {
    long[] dims = {8, 3, 3};
    var a = box(dims, 1, 1, 1, 1, 1, 1);
    var b = box(dims, 4, 1, 1, 4, 1, 1);
    SegmentationMetrics.Hd95 h = SegmentationMetrics.hd95(a, b, VoxelSize.microns(2, 1, 1));
    assertEquals(3.0, h.voxels(), 1e-12);
    assertEquals(6.0, h.physical(), 1e-12);
    assertEquals("micron", h.unit());
  }

  @Test
  void hd95OfShiftedBoxesHandComputed() {
    // two 3x3x3 cubes in a 12x5x5 image, b shifted by 4 along x; all voxels but the centre
    // are surface voxels (26 each). Each surface voxel's nearest surface voxel of the other cube
    // is at x distance 2 (cube faces at x=3 and x=5, centre 2..) -> compute exactly below.
    long[] dims = {12, 5, 5};
    var a = box(dims, 1, 1, 1, 3, 3, 3);
    var b = box(dims, 5, 1, 1, 7, 3, 3);
    // a's surface x in {1,2,3}: nearest b-surface at x=5 in the same row: distances 4,3,2;
    // counts per x-layer: x=1: 9, x=2: 8 (centre excluded), x=3: 9; symmetric for b.
    // pooled 52 values: 18 x 2, 16 x 3, 18 x 4; 95th percentile at h = 0.95 * 51 = 48.45
    // sorted index 48 and 49 are both 4 -> HD95 = 4.
    var h = SegmentationMetrics.hd95(a, b, VoxelSize.UNIT);
    assertEquals(4.0, h.voxels(), 1e-12);
    // and HD of the same cubes along z with z spacing 3
    var c = box(new long[] {5, 5, 12}, 1, 1, 1, 3, 3, 3);
    var d = box(new long[] {5, 5, 12}, 1, 1, 5, 3, 3, 7);
    var h2 = SegmentationMetrics.hd95(c, d, new VoxelSize(1, 1, 3, "um"));
    assertEquals(4.0, h2.voxels(), 1e-12);
    assertEquals(12.0, h2.physical(), 1e-12);
  }

  @Test
  void hd95EmptyCases() {
    long[] dims = {5, 5, 5};
    var empty = ArrayImgs.unsignedBytes(dims);
    var one = box(dims, 2, 2, 2, 2, 2, 2);
    assertEquals(0.0, SegmentationMetrics.hd95(empty, empty, VoxelSize.UNIT).voxels(), 0);
    assertEquals(Double.POSITIVE_INFINITY,
        SegmentationMetrics.hd95(one, empty, VoxelSize.UNIT).voxels());
    assertEquals(Double.POSITIVE_INFINITY,
        SegmentationMetrics.hd95(empty, one, VoxelSize.UNIT).physical());
    assertEquals(0.0, SegmentationMetrics.hd95(one, one, VoxelSize.UNIT).physical(), 0);
  }

  @Test
  void meanOverVolumes() {
    long[] dims = {10, 10, 10};
    var a = box(dims, 1, 1, 1, 4, 4, 4);
    var b = box(dims, 3, 1, 1, 6, 4, 4);
    List<SegmentationMetrics.VolumeScores> s = new ArrayList<>();
    s.add(SegmentationMetrics.score(a, a, VoxelSize.UNIT));
    s.add(SegmentationMetrics.score(a, b, VoxelSize.UNIT));
    SegmentationMetrics.Summary sum = SegmentationMetrics.mean(s);
    assertEquals(2, sum.volumes());
    assertEquals(0.75, sum.meanDice(), 1e-12);
    assertEquals(s.get(1).hd95().voxels() / 2, sum.meanHd95Voxels(), 1e-12);
    assertThrows(InvalidInputException.class, () -> SegmentationMetrics.mean(List.of()));
  }

  /**
   * Two masks of the same generated size and density, voxel by voxel, with a generated voxel
   * size. Shrinks towards small boxes with few foreground voxels.
   */
  record MaskPair(int nx, int ny, int nz, boolean[] a, boolean[] b, VoxelSize voxelSize) {
    @Override
    public String toString() {
      return nx + "x" + ny + "x" + nz + " " + voxelSize + "\na=" + picture(a) + "\nb="
          + picture(b);
    }

    private String picture(boolean[] m) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < m.length; i++) {
        sb.append(i % nx == 0 ? (i % (nx * ny) == 0 ? " | " : " ") : "").append(m[i] ? '#' : '.');
      }
      return sb.toString();
    }
  }

  static Gen<MaskPair> maskPairs() {
    Gen<Integer> xy = integers().between(2, 10);
    Gen<Integer> zs = integers().between(1, 7);
    Gen<Integer> densities = integers().between(50, 650); // per mille
    Gen<Integer> voxels = integers().between(0, 999);
    Gen<Double> unit = doubles().between(0, 1);
    return in -> {
      int nx = xy.generate(in);
      int ny = xy.generate(in);
      int nz = zs.generate(in);
      int density = densities.generate(in);
      boolean[] a = new boolean[nx * ny * nz];
      boolean[] b = new boolean[a.length];
      for (int i = 0; i < a.length; i++) {
        // a voxel is on for the top `density` of its draw: a draw shrinking to 0 turns it off
        a[i] = voxels.generate(in) >= 1000 - density;
        b[i] = voxels.generate(in) >= 1000 - density;
      }
      VoxelSize vs = new VoxelSize(0.3 + unit.generate(in), 0.3 + unit.generate(in),
          0.3 + 3 * unit.generate(in), "um");
      return new MaskPair(nx, ny, nz, a, b, vs);
    };
  }

  @Test
  void hd95MatchesBruteForceOnRandomMasks() {
    qt().withFixedSeed(SEED).withExamples(60).forAll(maskPairs()).checkAssert(m -> {
      boolean[] a = m.a();
      boolean[] b = m.b();
      int nx = m.nx();
      int ny = m.ny();
      int nz = m.nz();
      VoxelSize vs = m.voxelSize();
      long[] dims = {nx, ny, nz};
      var ia = ArrayImgs.unsignedBytes(toBytes(a), dims);
      var ib = ArrayImgs.unsignedBytes(toBytes(b), dims);
      var h = SegmentationMetrics.hd95(ia, ib, vs);
      double expVox = bruteHd95(a, b, nx, ny, nz, new double[] {1, 1, 1});
      double expPhys = bruteHd95(a, b, nx, ny, nz, new double[] {vs.x(), vs.y(), vs.z()});
      String msg = "seed " + SEED + " dims " + Arrays.toString(dims);
      assertEquals(expVox, h.voxels(), 1e-9, msg);
      assertEquals(expPhys, h.physical(), 1e-9, msg);
      // Dice by counting
      int na = 0;
      int nb = 0;
      int both = 0;
      for (int i = 0; i < a.length; i++) {
        na += a[i] ? 1 : 0;
        nb += b[i] ? 1 : 0;
        both += a[i] && b[i] ? 1 : 0;
      }
      double dice = na + nb == 0 ? 1 : 2.0 * both / (na + nb);
      assertEquals(dice, SegmentationMetrics.dice(ia, ib), 1e-12, msg);
    });
  }

  private static byte[] toBytes(boolean[] m) {
    byte[] out = new byte[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = (byte) (m[i] ? 1 : 0);
    }
    return out;
  }

  /** Surface by looking at 6 neighbours, all-pairs distances, numpy-style percentile. */
  static double bruteHd95(boolean[] a, boolean[] b, int nx, int ny, int nz, double[] sp) {
    List<int[]> sa = surface(a, nx, ny, nz);
    List<int[]> sb = surface(b, nx, ny, nz);
    if (sa.isEmpty() && sb.isEmpty()) {
      return 0;
    }
    if (sa.isEmpty() || sb.isEmpty()) {
      return Double.POSITIVE_INFINITY;
    }
    List<Double> all = new ArrayList<>();
    for (int[] p : sa) {
      all.add(minDist(p, sb, sp));
    }
    for (int[] p : sb) {
      all.add(minDist(p, sa, sp));
    }
    all.sort(null);
    double rank = 0.95 * (all.size() - 1);
    int lo = (int) rank;
    double frac = rank - lo;
    double upper = lo + 1 < all.size() ? all.get(lo + 1) : all.get(lo);
    return all.get(lo) * (1 - frac) + upper * frac;
  }

  private static double minDist(int[] p, List<int[]> set, double[] sp) {
    double best = Double.POSITIVE_INFINITY;
    for (int[] q : set) {
      double s = 0;
      for (int d = 0; d < 3; d++) {
        double c = (p[d] - q[d]) * sp[d];
        s += c * c;
      }
      best = Math.min(best, Math.sqrt(s));
    }
    return best;
  }

  private static List<int[]> surface(boolean[] m, int nx, int ny, int nz) {
    List<int[]> out = new ArrayList<>();
    int[][] nb = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
          if (!m[(z * ny + y) * nx + x]) {
            continue;
          }
          for (int[] o : nb) {
            int X = x + o[0];
            int Y = y + o[1];
            int Z = z + o[2];
            boolean bg = X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz
                || !m[(Z * ny + Y) * nx + X];
            if (bg) {
              out.add(new int[] {x, y, z});
              break;
            }
          }
        }
      }
    }
    return out;
  }
}
