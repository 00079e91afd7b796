package io.github.neuroseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class ContrastToNoiseTest {
  private static final long SEED = 0xC0_2026L;

  @Test
  void byHand() {
    // foreground 10 and 12 (mean 11), background 0,2,0,2,0,2 (mean 1, population std 1)
    var image = ArrayImgs.unsignedShorts(new short[] {10, 0, 2, 0, 12, 2, 0, 2}, 4, 2, 1);
    var mask = ArrayImgs.unsignedBytes(new byte[] {1, 0, 0, 0, 1, 0, 0, 0}, 4, 2, 1);
    ContrastToNoise c = ContrastToNoise.measure(image, mask);
    assertEquals(11, c.foregroundMean(), 1e-12);
    assertEquals(1, c.backgroundMean(), 1e-12);
    assertEquals(1, c.backgroundStd(), 1e-12);
    assertEquals(2, c.foregroundVoxels());
    assertEquals(6, c.backgroundVoxels());
    assertEquals(10, c.ratio(), 1e-12);
    // any non-zero mask value is foreground; the minimum coordinates do not matter
    var floats = ArrayImgs.floats(new float[] {0.3f, 0, 0, 0, -1, 0, 0, 0}, 4, 2, 1);
    assertEquals(c, ContrastToNoise.measure(Views.translate(image, 3, 3, 3), floats));
  }

  @Test
  void emptyPartsAndBadSizes() {
    var image = ArrayImgs.unsignedShorts(new short[] {5, 5, 5, 5}, 2, 2, 1);
    ContrastToNoise none = ContrastToNoise.measure(image, ArrayImgs.unsignedBytes(2, 2, 1));
    assertTrue(Double.isNaN(none.foregroundMean()));
    assertTrue(Double.isNaN(none.ratio()));
    ContrastToNoise flat = ContrastToNoise.measure(image,
        ArrayImgs.unsignedBytes(new byte[] {0, 0, 0, 1}, 2, 2, 1));
    assertEquals(0, flat.backgroundStd());
    assertTrue(Double.isNaN(flat.ratio()), "no contrast over no noise");
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ContrastToNoise.measure(image, ArrayImgs.unsignedBytes(2, 2, 2)));
    assertTrue(e.getMessage().contains("[2, 2, 1] and [2, 2, 2]"), e.getMessage());
  }

  /** Random 16-bit images and masks against exact decimal arithmetic. */
  @Test
  void matchesExactArithmetic() {
    qt().withFixedSeed(SEED).withExamples(100).forAll(longs().all()).checkAssert(seed -> {
      SplittableRandom r = new SplittableRandom(seed);
      int nx = r.nextInt(1, 12);
      int ny = r.nextInt(1, 12);
      int nz = r.nextInt(1, 6);
      int n = nx * ny * nz;
      short[] v = new short[n];
      byte[] m = new byte[n];
      double fgFraction = r.nextDouble();
      int base = r.nextInt(0, 60000);
      for (int i = 0; i < n; i++) {
        m[i] = (byte) (r.nextDouble() < fgFraction ? 1 : 0);
        v[i] = (short) (base + r.nextInt(0, 5000));
      }
      BigDecimal fgSum = BigDecimal.ZERO;
      BigDecimal bgSum = BigDecimal.ZERO;
      long fg = 0;
      for (int i = 0; i < n; i++) {
        BigDecimal x = BigDecimal.valueOf(v[i] & 0xffff);
        if (m[i] != 0) {
          fgSum = fgSum.add(x);
          fg++;
        } else {
          bgSum = bgSum.add(x);
        }
      }
      long bg = n - fg;
      ContrastToNoise c = ContrastToNoise.measure(ArrayImgs.unsignedShorts(v, nx, ny, nz),
          ArrayImgs.unsignedBytes(m, nx, ny, nz));
      String msg = "SEED=" + SEED + " example seed=" + seed;
      assertEquals(fg, c.foregroundVoxels(), msg);
      assertEquals(bg, c.backgroundVoxels(), msg);
      if (fg == 0 || bg == 0) {
        assertTrue(Double.isNaN(c.ratio()), msg);
        return;
      }
      MathContext mc = MathContext.DECIMAL128;
      BigDecimal fgMean = fgSum.divide(BigDecimal.valueOf(fg), mc);
      BigDecimal bgMean = bgSum.divide(BigDecimal.valueOf(bg), mc);
      BigDecimal sq = BigDecimal.ZERO;
      for (int i = 0; i < n; i++) {
        if (m[i] == 0) {
          BigDecimal d = BigDecimal.valueOf(v[i] & 0xffff).subtract(bgMean);
          sq = sq.add(d.multiply(d));
        }
      }
      double std = sq.divide(BigDecimal.valueOf(bg), mc).sqrt(mc).doubleValue();
      assertEquals(fgMean.doubleValue(), c.foregroundMean(), 1e-9, msg);
      assertEquals(bgMean.doubleValue(), c.backgroundMean(), 1e-9, msg);
      assertEquals(std, c.backgroundStd(), 1e-9 * Math.max(1, std), msg);
      if (std > 0) {
        double ratio = fgMean.subtract(bgMean).doubleValue() / std;
        assertEquals(ratio, c.ratio(), 1e-9 * Math.max(1, Math.abs(ratio)), msg);
      }
    });
  }
}
