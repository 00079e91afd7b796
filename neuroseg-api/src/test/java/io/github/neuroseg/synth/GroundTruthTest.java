package io.github.neuroseg.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.testing.Generators;
import io.github.neuroseg.volume.VoxelSize;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class GroundTruthTest {
  private static final long SEED = 20261125L;

  /** Every voxel against every edge, written directly from the definition. */
  static byte[] bruteForce(NeuronTree tree, long[] dims, VoxelSize vs, double minR) {
    int nx = (int) dims[0];
    int ny = (int) dims[1];
    int nz = (int) dims[2];
    byte[] out = new byte[nx * ny * nz];
    double[] v = {vs.x(), vs.y(), vs.z()};
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          double[] p = {i * v[0], j * v[1], k * v[2]};
          for (SwcNode n : tree.nodes()) {
            SwcNode a = n.isRoot() ? n : tree.parentOf(n);
            double[] pa = {a.x(), a.y(), a.z()};
            double[] pb = {n.x(), n.y(), n.z()};
            boolean in = within(p, pa, pb, a.radius(), n.radius());
            if (!in && minR > 0) {
              double[] q = {i, j, k};
              double[] qa = {pa[0] / v[0], pa[1] / v[1], pa[2] / v[2]};
              double[] qb = {pb[0] / v[0], pb[1] / v[1], pb[2] / v[2]};
              in = within(q, qa, qb, minR, minR);
            }
            if (in) {
              out[(k * ny + j) * nx + i] = 1;
              break;
            }
          }
        }
      }
    }
    return out;
  }

  private static boolean within(double[] p, double[] a, double[] b, double ra, double rb) {
    double len2 = 0;
    double dot = 0;
    for (int d = 0; d < 3; d++) {
      len2 += (b[d] - a[d]) * (b[d] - a[d]);
      dot += (p[d] - a[d]) * (b[d] - a[d]);
    }
    double t = len2 == 0 ? 0 : Math.min(1, Math.max(0, dot / len2));
    double d2 = 0;
    for (int d = 0; d < 3; d++) {
      double c = p[d] - (a[d] + t * (b[d] - a[d]));
      d2 += c * c;
    }
    double r = ra + t * (rb - ra);
    return d2 <= r * r;
  }

  /** A voxel size and a forest of 1..10 nodes inside the 23 x 19 x 11 volume it spans. */
  record Case(VoxelSize voxelSize, NeuronTree tree) {
    @Override
    public String toString() {
      return voxelSize + "\n" + Swc.format(tree);
    }
  }

  private static final long[] DIMS = {23, 19, 11};

  static Gen<Case> cases() {
    return booleans().all().flatMap(unit -> {
      VoxelSize vs = unit ? VoxelSize.UNIT : VoxelSize.microns(0.5, 0.5, 1.5);
      double[] extent = {DIMS[0] * vs.x(), DIMS[1] * vs.y(), DIMS[2] * vs.z()};
      return Generators.forests(1, 10, extent, 2.5).map(t -> new Case(vs, t));
    });
  }

  @Test
  void matchesBruteForceRasterOnRandomTrees() {
    qt().withFixedSeed(SEED).withExamples(25).forAll(cases()).checkAssert(c -> {
      ArrayImg<UnsignedByteType, ByteArray> gt = GroundTruth.render(c.tree(), DIMS,
          c.voxelSize());
      byte[] ref = bruteForce(c.tree(), DIMS, c.voxelSize(), 1.0);
      ArrayImg<UnsignedByteType, ByteArray> refImg = ArrayImgs.unsignedBytes(ref, DIMS);
      double dice = SegmentationMetrics.dice(gt, refImg);
      assertEquals(1.0, dice, 0.0, "seed " + SEED);
      int fg = 0;
      for (byte b : ref) {
        fg += b;
      }
      assertTrue(fg > 0, "seed " + SEED + ": tree drew nothing");
    });
  }

  @Test
  void straightTubeHasCapsuleVolume() {
    // tilted so that lattice effects average out along the tube
    double r = 6;
    double[] u = {0.9, 0.37, 0.23};
    double norm = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    double len = 60;
    double[] a = {15.2, 20.3, 19.7};
    NeuronTree tube = NeuronTree.of(List.of(
        new SwcNode(1, 3, a[0], a[1], a[2], r, -1),
        new SwcNode(2, 3, a[0] + len * u[0] / norm, a[1] + len * u[1] / norm,
            a[2] + len * u[2] / norm, r, 1)));
    ArrayImg<UnsignedByteType, ByteArray> m =
        GroundTruth.render(tube, new long[] {100, 50, 50}, VoxelSize.UNIT);
    double expected = Math.PI * r * r * len + 4.0 / 3 * Math.PI * r * r * r;
    double count = count(m);
    assertEquals(expected, count, 0.01 * expected, "capsule voxel count");
  }

  @Test
  void anisotropicTubeVolumeInPhysicalUnits() {
    // a tube along x in microns with 0.5 x 0.5 x 2 micron voxels: volume / voxel volume
    double r = 4;
    double len = 30;
    VoxelSize vs = VoxelSize.microns(0.5, 0.5, 2.0);
    NeuronTree tube = NeuronTree.of(List.of(
        new SwcNode(1, 3, 5, 15.1, 20.3, r, -1), new SwcNode(2, 3, 5 + len, 15.1, 20.3, r, 1)));
    ArrayImg<UnsignedByteType, ByteArray> m =
        GroundTruth.render(tube, new long[] {90, 70, 25}, vs);
    double expected = (Math.PI * r * r * len + 4.0 / 3 * Math.PI * r * r * r) / (0.5 * 0.5 * 2);
    assertEquals(expected, count(m), 0.04 * expected, "anisotropic capsule voxel count");
  }

  @Test
  void thinTubeIsClampedToOneVoxel() {
    NeuronTree thin = NeuronTree.of(List.of(
        new SwcNode(1, 3, 3, 10, 10, 0.01, -1), new SwcNode(2, 3, 40, 10, 10, 0.01, 1)));
    ArrayImg<UnsignedByteType, ByteArray> m =
        GroundTruth.render(thin, new long[] {50, 20, 20}, VoxelSize.UNIT);
    // radius 1 around a grid line: the line plus its 4 neighbours per x, plus 2 end caps' tips
    assertEquals(38 * 5 + 2, count(m));
    ArrayImg<UnsignedByteType, ByteArray> none =
        GroundTruth.render(thin, new long[] {50, 20, 20}, VoxelSize.UNIT, 0);
    // without the clamp only the voxels exactly on the axis remain
    assertEquals(38, count(none));
  }

  @Test
  void singleNodeIsASphere() {
    NeuronTree soma = NeuronTree.of(List.of(new SwcNode(1, 1, 15, 15, 15, 6, -1)));
    ArrayImg<UnsignedByteType, ByteArray> m =
        GroundTruth.render(soma, new long[] {30, 30, 30}, VoxelSize.UNIT);
    double expected = 4.0 / 3 * Math.PI * 216;
    assertEquals(expected, count(m), 0.03 * expected);
  }

  @Test
  void rejectsBadDimensions() {
    NeuronTree t = NeuronTree.of(List.of(new SwcNode(1, 1, 1, 1, 1, 1, -1)));
    assertThrows(InvalidInputException.class,
        () -> GroundTruth.render(t, new long[] {4, 4}, VoxelSize.UNIT));
    assertThrows(InvalidInputException.class,
        () -> GroundTruth.render(t, new long[] {4, 0, 4}, VoxelSize.UNIT));
    assertThrows(InvalidInputException.class,
        () -> GroundTruth.render(t, new long[] {4, 4, 4}, VoxelSize.UNIT, -1));
  }

  static int count(ArrayImg<UnsignedByteType, ByteArray> m) {
    int c = 0;
    for (byte b : m.update(null).getCurrentStorageArray()) {
      c += b;
    }
    return c;
  }
}
