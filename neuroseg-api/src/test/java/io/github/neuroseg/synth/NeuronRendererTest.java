package io.github.neuroseg.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.metrics.SegmentationMetrics;
import io.github.neuroseg.swc.NeuronTree;
import io.github.neuroseg.swc.SwcNode;
import io.github.neuroseg.volume.VoxelSize;
import java.util.Arrays;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import org.junit.jupiter.api.Test;

class NeuronRendererTest {
  private static final long[] DIMS = {64, 48, 20};

  private static NeuronTree neuron(long seed) {
    return NeuronGenerator.newBuilder().bounds(DIMS[0], DIMS[1], DIMS[2]).build().generate(seed);
  }

  @SuppressWarnings("unchecked")
  private static short[] voxels(RenderedNeuron n) {
    return ((ArrayImg<UnsignedShortType, ShortArray>) n.image().image()).update(null)
        .getCurrentStorageArray();
  }

  private static NeuronRenderer.Builder noiseless() {
    return NeuronRenderer.newBuilder().poisson(false).readNoise(0).psfSigmaXy(0).psfSigmaZ(0);
  }

  private static NeuronTree straight(double r, double x0, double x1, double y, double z) {
    return NeuronTree.of(List.of(new SwcNode(1, 3, x0, y, z, r, -1),
        new SwcNode(2, 3, x1, y, z, r, 1)));
  }

  @Test
  void deterministicForASeedAndDifferentForAnother() {
    NeuronTree t = neuron(1);
    NeuronRenderer r = NeuronRenderer.newBuilder().seed(5).distractors(3).build();
    short[] a = voxels(r.render(t, DIMS, VoxelSize.UNIT));
    short[] b = voxels(r.render(t, DIMS, VoxelSize.UNIT));
    assertArrayEquals(a, b);
    short[] c = voxels(NeuronRenderer.newBuilder().seed(6).distractors(3).build()
        .render(t, DIMS, VoxelSize.UNIT));
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void maskIsTheGroundTruthOfTheTree() {
    NeuronTree t = neuron(2);
    VoxelSize vs = VoxelSize.microns(0.5, 0.5, 1.0);
    NeuronTree physical = t.toPhysical(vs);
    RenderedNeuron n = NeuronRenderer.newBuilder().build().render(physical, DIMS, vs);
    assertEquals(1.0, SegmentationMetrics.dice(n.mask(), GroundTruth.render(physical, DIMS, vs)));
    assertEquals(physical, n.tree());
    assertEquals(vs, n.image().voxelSize());
    assertArrayEquals(DIMS, n.image().dimensions());
  }

  @Test
  void backgroundLevelAndNoiseMatchTheParameters() {
    // a tube in one corner; the far side of the volume is pure background
    NeuronTree t = straight(2, 2, 20, 5, 5);
    long[] dims = {80, 80, 24};
    for (double[] p : new double[][] {{200, 5}, {50, 12}, {12, 0}}) {
      double bg = p[0];
      double read = p[1];
      RenderedNeuron n = NeuronRenderer.newBuilder().background(bg).readNoise(read).seed(9)
          .build().render(t, dims, VoxelSize.UNIT);
      short[] v = voxels(n);
      double sum = 0;
      double sum2 = 0;
      int count = 0;
      for (int z = 12; z < 24; z++) {
        for (int y = 40; y < 80; y++) {
          for (int x = 40; x < 80; x++) {
            double s = v[(z * 80 + y) * 80 + x] & 0xffff;
            sum += s;
            sum2 += s * s;
            count++;
          }
        }
      }
      double mean = sum / count;
      double std = Math.sqrt(sum2 / count - mean * mean);
      // rounding to integers adds 1/12 to the variance when read noise spreads values
      double expectedStd = Math.sqrt(bg + read * read + (read > 0 ? 1.0 / 12 : 0));
      assertEquals(bg, mean, 0.01 * bg, "background mean for " + Arrays.toString(p));
      assertEquals(expectedStd, std, 0.03 * expectedStd, "noise std for " + Arrays.toString(p));
    }
  }

  @Test
  void foregroundContrastMatchesTheParameters() {
    NeuronTree t = straight(5, 10, 70, 20.3, 15.6);
    RenderedNeuron n = NeuronRenderer.newBuilder().background(100).foreground(800)
        .intensityVariation(0).gapRate(0).varicosityRate(0).psfSigmaXy(1).psfSigmaZ(1)
        .seed(4).build().render(t, new long[] {80, 40, 32}, VoxelSize.UNIT);
    short[] v = voxels(n);
    double sum = 0;
    int count = 0;
    for (int z = 15; z <= 16; z++) {
      for (int y = 20; y <= 21; y++) {
        for (int x = 20; x < 60; x++) {
          sum += v[(z * 40 + y) * 80 + x] & 0xffff;
          count++;
        }
      }
    }
    assertEquals(900, sum / count, 0.02 * 900, "tube core brightness");
  }

  @Test
  void gapsAreDarkButStayInTheMask() {
    NeuronTree t = straight(2, 5, 95, 10, 10);
    RenderedNeuron n = noiseless().background(0).foreground(1000).intensityVariation(0)
        .varicosityRate(0).gapRate(5).gapLength(6).gapDepth(0.1).build()
        .render(t, new long[] {100, 20, 20}, VoxelSize.UNIT);
    short[] v = voxels(n);
    byte[] m = n.mask().update(null).getCurrentStorageArray();
    int dark = 0;
    for (int x = 5; x <= 95; x++) {
      int i = (10 * 20 + 10) * 100 + x;
      assertEquals(1, m[i]);
      if (v[i] == 100) {
        dark++;
      } else {
        assertEquals(1000, v[i]);
      }
    }
    assertEquals(6, dark, 1, "gap length along the axis");
  }

  @Test
  void varicositiesAreBrightSwellings() {
    NeuronTree t = straight(1.5, 5, 95, 10, 10);
    RenderedNeuron n = noiseless().background(0).foreground(1000).intensityVariation(0)
        .gapRate(0).varicosityRate(5).varicosityGain(2).varicositySize(2).build()
        .render(t, new long[] {100, 20, 20}, VoxelSize.UNIT);
    short[] v = voxels(n);
    byte[] m = n.mask().update(null).getCurrentStorageArray();
    int max = 0;
    int brightOutside = 0;
    for (int i = 0; i < v.length; i++) {
      max = Math.max(max, v[i]);
      if (m[i] == 0 && v[i] == 2000) {
        brightOutside++;
      }
    }
    assertEquals(2000, max);
    assertTrue(brightOutside > 0, "the swelling reaches beyond the tube");
  }

  @Test
  void intensityVariesSmoothlyAlongBranches() {
    List<SwcNode> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 60; i++) {
      nodes.add(new SwcNode(i + 1, 3, 5 + 3 * i, 10, 10, 1.5, i == 0 ? -1 : i));
    }
    RenderedNeuron n = noiseless().background(0).foreground(1000).intensityVariation(0.3)
        .intensityCorrelation(20).gapRate(0).varicosityRate(0).seed(3).build()
        .render(NeuronTree.of(nodes), new long[] {190, 20, 20}, VoxelSize.UNIT);
    short[] v = voxels(n);
    double[] p = new double[178];
    double mean = 0;
    for (int x = 5; x <= 182; x++) {
      p[x - 5] = v[(10 * 20 + 10) * 190 + x];
      mean += p[x - 5] / p.length;
    }
    double var = 0;
    double cov = 0;
    for (int i = 0; i < p.length; i++) {
      var += (p[i] - mean) * (p[i] - mean);
      if (i > 0) {
        cov += (p[i] - mean) * (p[i - 1] - mean);
      }
    }
    double sd = Math.sqrt(var / p.length);
    assertTrue(sd > 50, "brightness varies along the branch: sd " + sd);
    // neighbouring voxels are strongly correlated (white noise would give about 0)
    assertTrue(cov / var > 0.9, "and continuously: lag-1 autocorrelation " + cov / var);
  }

  @Test
  void distractorsStayOutsideTheMask() {
    NeuronTree t = neuron(3);
    short[] without = voxels(noiseless().build().render(t, DIMS, VoxelSize.UNIT));
    RenderedNeuron with = noiseless().distractors(8).distractorRadius(2.5).build()
        .render(t, DIMS, VoxelSize.UNIT);
    short[] v = voxels(with);
    byte[] m = with.mask().update(null).getCurrentStorageArray();
    int changed = 0;
    for (int i = 0; i < v.length; i++) {
      if (v[i] != without[i]) {
        changed++;
        assertEquals(0, m[i], "distractor voxel " + i + " inside the mask");
      }
    }
    assertTrue(changed > 8 * 20, "distractor voxels: " + changed);
  }

  /**
   * The structured background is a stationary smooth field: far from the neuron the noiseless
   * image is {@code background + field}, whose mean, standard deviation and correlation at lags
   * of one and two correlation lengths match the settings (exp(-1/2) and exp(-2)), with the same
   * spread at the border as inside.
   */
  @Test
  void structuredBackgroundHasTheRequestedStatistics() {
    int nx = 96;
    int ny = 96;
    int nz = 48;
    double amplitude = 40;
    double corr = 4;
    NeuronTree t = straight(1, 2, 8, 3, 3); // a short tube in a corner
    RenderedNeuron n = noiseless().background(1000).backgroundVariation(amplitude)
        .backgroundCorrelation(corr).seed(11).build().render(t, new long[] {nx, ny, nz},
            VoxelSize.UNIT);
    short[] v = voxels(n);
    double sum = 0;
    double sum2 = 0;
    int count = 0;
    double[] lagSum = new double[3]; // products at lags 0, corr, 2 corr along x
    int lagCount = 0;
    int l1 = (int) corr;
    int l2 = (int) (2 * corr);
    for (int z = 0; z < nz; z++) {
      for (int y = 16; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
          double a = (v[(z * ny + y) * nx + x] & 0xffff) - 1000.0;
          sum += a;
          sum2 += a * a;
          count++;
          if (x + l2 < nx) {
            lagSum[0] += a * a;
            lagSum[1] += a * ((v[(z * ny + y) * nx + x + l1] & 0xffff) - 1000.0);
            lagSum[2] += a * ((v[(z * ny + y) * nx + x + l2] & 0xffff) - 1000.0);
            lagCount++;
          }
        }
      }
    }
    double mean = sum / count;
    double std = Math.sqrt(sum2 / count - mean * mean);
    // about 400 independent patches: the sample mean's error is about 2 counts
    assertEquals(0, mean, 10, "field mean");
    assertEquals(amplitude, std, 0.1 * amplitude, "field standard deviation");
    assertEquals(Math.exp(-0.5), lagSum[1] / lagSum[0], 0.08, "correlation at one length");
    assertEquals(Math.exp(-2), lagSum[2] / lagSum[0], 0.08, "correlation at two lengths");
    assertTrue(lagCount > 0);
    // the first and the last x planes spread as much as the middle one
    for (int x : new int[] {0, nx / 2, nx - 1}) {
      double s2 = 0;
      int c = 0;
      for (int z = 0; z < nz; z++) {
        for (int y = 16; y < ny; y++) {
          double a = (v[(z * ny + y) * nx + x] & 0xffff) - 1000.0;
          s2 += a * a;
          c++;
        }
      }
      assertEquals(amplitude, Math.sqrt(s2 / c), 0.2 * amplitude, "spread at x = " + x);
    }
    // the field is background: the mask is the tree's
    assertEquals(1.0, SegmentationMetrics.dice(n.mask(),
        GroundTruth.render(t, new long[] {nx, ny, nz}, VoxelSize.UNIT)));
  }

  /**
   * Without noise, every voxel outside the neuron is the background plus the linear ramp (or 0
   * where the ramp falls below it).
   */
  @Test
  void backgroundGradientIsLinearAndCentred() {
    qt().withFixedSeed(0xB6_2026L).withExamples(40)
        .forAll(doubles().between(-300, 300), doubles().between(-300, 300),
            doubles().between(-300, 300))
        .checkAssert((gx, gy, gz) -> {
          long[] dims = {23, 17, 9};
          NeuronTree t = straight(1, 2, 6, 3, 3);
          RenderedNeuron n = noiseless().background(400).varicosityRate(0)
              .backgroundGradient(gx, gy, gz).build().render(t, dims, VoxelSize.UNIT);
          short[] v = voxels(n);
          byte[] m = n.mask().update(null).getCurrentStorageArray();
          for (int z = 0; z < dims[2]; z++) {
            for (int y = 0; y < dims[1]; y++) {
              for (int x = 0; x < dims[0]; x++) {
                int i = (int) ((z * dims[1] + y) * dims[0] + x);
                if (m[i] != 0) {
                  continue;
                }
                // a falling ramp clamps at zero counts
                double expected = Math.max(0, 400 + gx * (x / 22.0 - 0.5) + gy * (y / 16.0 - 0.5)
                    + gz * (z / 8.0 - 0.5));
                assertEquals(expected, v[i] & 0xffff, 0.5 + 1e-3, "gradient " + gx + ", " + gy
                    + ", " + gz + " at " + x + "," + y + "," + z + " (seed 0xB6_2026)");
              }
            }
          }
        });
  }

  @Test
  void structuredBackgroundIsDeterministicAndOffByDefault() {
    NeuronTree t = neuron(4);
    NeuronRenderer.Builder b = NeuronRenderer.newBuilder().seed(3).backgroundVariation(30)
        .backgroundCorrelation(6).backgroundGradient(10, 0, -20);
    short[] a = voxels(b.build().render(t, DIMS, VoxelSize.UNIT));
    assertArrayEquals(a, voxels(b.build().render(t, DIMS, VoxelSize.UNIT)));
    assertFalse(Arrays.equals(a, voxels(b.seed(4).build().render(t, DIMS, VoxelSize.UNIT))));
    // a zero amplitude and no ramp are the plain background, whatever the correlation length
    short[] plain = voxels(NeuronRenderer.newBuilder().seed(3).build()
        .render(t, DIMS, VoxelSize.UNIT));
    assertArrayEquals(plain, voxels(NeuronRenderer.newBuilder().seed(3).backgroundVariation(0)
        .backgroundCorrelation(3).build().render(t, DIMS, VoxelSize.UNIT)));
    assertFalse(Arrays.equals(plain, a));
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(InvalidInputException.class,
        () -> NeuronRenderer.newBuilder().backgroundVariation(-1));
    assertThrows(InvalidInputException.class,
        () -> NeuronRenderer.newBuilder().backgroundCorrelation(0));
    assertThrows(InvalidInputException.class,
        () -> NeuronRenderer.newBuilder().backgroundGradient(0, Double.NaN, 0));
    assertThrows(InvalidInputException.class, () -> NeuronRenderer.newBuilder().psfSigmaZ(-1));
    assertThrows(InvalidInputException.class, () -> NeuronRenderer.newBuilder().gapDepth(2));
    assertThrows(InvalidInputException.class, () -> NeuronRenderer.newBuilder().distractors(-1));
    assertThrows(InvalidInputException.class, () -> NeuronRenderer.newBuilder().build()
        .render(neuron(1), new long[] {4, 4}, VoxelSize.UNIT));
  }

  @Test
  void fitsALargeTreeIntoAVolume() {
    // a micron-scale tree spanning thousands of units with tiny and huge radii
    NeuronTree big = NeuronTree.of(List.of(
        new SwcNode(1, 1, 1000, 2000, 50, 1000, -1),
        new SwcNode(2, 3, 5000, 2500, 300, 0.01, 1),
        new SwcNode(3, 3, 3000, 6000, 150, 100, 1)));
    long[] dims = {100, 80, 30};
    VoxelSize vs = VoxelSize.microns(0.5, 0.5, 2);
    NeuronTree f = TreeFitting.fit(big, dims, vs, 5);
    double[] box = f.boundingBox();
    for (int d = 0; d < 3; d++) {
      assertTrue(box[d] >= 5 * vs.along(d) - 1e-9, "margin kept on axis " + d);
      assertTrue(box[d + 3] <= (dims[d] - 6) * vs.along(d) + 1e-9, "inside on axis " + d);
    }
    // fills at least one axis and keeps proportions
    double s = f.nodes().get(0).distanceTo(f.nodes().get(1))
        / big.nodes().get(0).distanceTo(big.nodes().get(1));
    double s2 = f.nodes().get(0).distanceTo(f.nodes().get(2))
        / big.nodes().get(0).distanceTo(big.nodes().get(2));
    assertEquals(s, s2, 1e-9 * s);
    assertEquals((80 - 1 - 10) * 0.5, box[4] - box[1], 1e-6, "y is the binding axis");
    // radii clamped to 0.5..12 in-plane voxels
    assertEquals(12 * 0.5, f.nodes().get(0).radius(), 1e-12);
    assertEquals(0.5 * 0.5, f.nodes().get(1).radius(), 1e-12);
    assertEquals(100 * s, f.nodes().get(2).radius(), 1e-12, "unclamped radii scale");
    RenderedNeuron n = NeuronRenderer.newBuilder().build().render(f, dims, vs);
    assertTrue(GroundTruthTest.count(n.mask()) > 100);
  }
}
