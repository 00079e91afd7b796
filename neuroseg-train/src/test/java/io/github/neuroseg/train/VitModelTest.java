package io.github.neuroseg.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.model.VitWeights;
import io.github.neuroseg.testing.Generators;
import io.github.neuroseg.training.VitArchitecture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class VitModelTest {

  /** Random weights with non-trivial norms and biases, so that every term is exercised. */
  static Map<String, FloatTensor> randomWeights(VitArchitecture c, long seed) {
    return VitWeights.random(c, seed, 0.12);
  }

  static float[] randomBlocks(VitArchitecture c, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * c.inputDepth() * c.tileHeight() * c.tileWidth()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }

  static double[][] reference(VitArchitecture c, Map<String, FloatTensor> w, float[] blocks, int b) {
    int d = c.inputDepth();
    int h = c.tileHeight();
    int wd = c.tileWidth();
    double[][][] blk = new double[d][h][wd];
    for (int z = 0; z < d; z++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < wd; x++) {
          blk[z][y][x] = blocks[((b * d + z) * h + y) * wd + x];
        }
      }
    }
    return new ReferenceVit(c, w).forward(blk);
  }

  /** An architecture, a weight seed, a batch size and an input seed. */
  record Case(VitArchitecture arch, long weightSeed, int batch, long inputSeed) {}

  @Test
  void forwardMatchesNaiveReference() {
    Gen<Case> cases = Generators.vitArchitectures(2).zip(longs().all(),
        integers().between(1, 2), longs().all(), Case::new);
    qt().withFixedSeed(0x7A11_2026L).withExamples(8).forAll(cases).checkAssert(k -> {
      VitArchitecture c = k.arch();
      int n = k.batch();
      int h = c.tileHeight();
      int wd = c.tileWidth();
      Map<String, FloatTensor> w = randomWeights(c, k.weightSeed());
      float[] x = randomBlocks(c, n, k.inputSeed());
      try (VitModel m = VitModel.of(c, w)) {
        float[] out = m.predictLogits(x, n);
        assertEquals(n * h * wd, out.length);
        double max = 0;
        for (int b = 0; b < n; b++) {
          double[][] ref = reference(c, w, x, b);
          for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < wd; xx++) {
              max = Math.max(max, Math.abs(ref[y][xx] - out[(b * h + y) * wd + xx]));
            }
          }
        }
        assertTrue(max < 1e-4, "max abs difference " + max);
      }
    });
  }

  @Test
  void weightsRoundTripAndInitIsSeeded() {
    VitArchitecture c = VitArchitecture.tiny();
    try (VitModel a = VitModel.create(c, 9); VitModel b = VitModel.create(c, 9)) {
      assertEquals(a.weights(), b.weights());
      assertEquals(c.weightShapes().keySet(), a.weights().keySet());
      Map<String, FloatTensor> w = randomWeights(c, 1);
      a.setWeights(w);
      assertEquals(w, a.weights());
    }
  }

  @Test
  void rejectsBadWeightsAndInput() {
    VitArchitecture c = VitArchitecture.tiny();
    Map<String, FloatTensor> w = randomWeights(c, 1);
    w.remove("norm.bias");
    w.put("blocks.0.attn.qkv.weight", new FloatTensor(new int[] {1}, new float[1]));
    w.put("bogus", new FloatTensor(new int[] {1}, new float[1]));
    ModelException ex = assertThrows(ModelException.class, () -> VitModel.of(c, w));
    assertTrue(ex.getMessage().contains("norm.bias"), ex.getMessage());
    assertTrue(ex.getMessage().contains("blocks.0.attn.qkv.weight"), ex.getMessage());
    assertTrue(ex.getMessage().contains("bogus"), ex.getMessage());
    try (VitModel m = VitModel.create(c, 1)) {
      assertThrows(InvalidInputException.class, () -> m.predictLogits(new float[7], 1));
    }
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(32, 2, 2, 8, 4, 32, 32));
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(32, 2, 2, 8, 5, 30, 32));
    assertThrows(InvalidInputException.class, () -> new VitArchitecture(30, 2, 4, 8, 5, 32, 32));
  }

  @Test
  void layerScaleAndRegistersMatchTheNaiveReference() {
    VitArchitecture c = new VitArchitecture(24, 2, 3, 4, 3, 8, 12);
    matchesNaiveReference(c.withLayerScale(true));
    matchesNaiveReference(c.withRegisters(3));
    matchesNaiveReference(c.withLayerScale(true).withRegisters(4));
    // the options change the output (the reference does not ignore them)
    Map<String, FloatTensor> w = randomWeights(c.withRegisters(2), 3);
    Map<String, FloatTensor> plain = new java.util.LinkedHashMap<>(w);
    plain.remove("reg_token");
    float[] x = randomBlocks(c, 1, 5);
    try (VitModel a = VitModel.of(c, plain); VitModel b = VitModel.of(c.withRegisters(2), w)) {
      float[] ya = a.predictLogits(x, 1);
      float[] yb = b.predictLogits(x, 1);
      double max = 0;
      for (int i = 0; i < ya.length; i++) {
        max = Math.max(max, Math.abs(ya[i] - yb[i]));
      }
      assertTrue(max > 1e-3, "registers changed nothing: " + max);
    }
  }

  private static void matchesNaiveReference(VitArchitecture c) {
    Map<String, FloatTensor> w = randomWeights(c, 3);
    int h = c.tileHeight();
    int wd = c.tileWidth();
    float[] x = randomBlocks(c, 2, 5);
    try (VitModel m = VitModel.of(c, w)) {
      float[] out = m.predictLogits(x, 2);
      double max = 0;
      for (int b = 0; b < 2; b++) {
        double[][] ref = reference(c, w, x, b);
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < wd; xx++) {
            max = Math.max(max, Math.abs(ref[y][xx] - out[(b * h + y) * wd + xx]));
          }
        }
      }
      assertTrue(max < 1e-4, c + ": max abs difference " + max);
    }
  }
}
