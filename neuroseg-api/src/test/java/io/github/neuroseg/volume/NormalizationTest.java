package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;

class NormalizationTest {
  private static final long SEED = 20261125L;

  /** Independent reference: sort every value and interpolate linearly (NumPy's default). */
  private static double naivePercentile(RandomAccessibleInterval<? extends RealType<?>> img,
      double q) {
    double[] v = new double[(int) Views.iterable(img).size()];
    int i = 0;
    for (RealType<?> t : Views.flatIterable(img)) {
      v[i++] = t.getRealDouble();
    }
    Arrays.sort(v);
    double rank = q / 100 * (v.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (rank - lo) * (v[hi] - v[lo]);
  }

  @Test
  void specsRoundTrip() {
    for (String s : new String[] {"percentile:0.5,99.5", "minmax", "none", "fixed:0,4095",
        "fixed:-1.25,3", "percentile:0,100", "percentile:1,99"}) {
      Normalization n = Normalization.parse(s);
      assertEquals(s, n.spec());
      assertEquals(n, Normalization.parse(n.spec()));
      assertEquals(s, n.toString());
    }
    assertEquals(Normalization.percentile(0.5, 99.5), Normalization.parse(" Percentile: 0.5, 99.5"));
    assertEquals(Normalization.fixed(0, 4095), Normalization.parse("FIXED:0.0,4095.000"));
    qt().withFixedSeed(SEED).withExamples(200).forAll(longs().all()).checkAssert(seed -> {
      SplittableRandom r = new SplittableRandom(seed);
      double a = r.nextDouble(-1e6, 1e6);
      double b = a + r.nextDouble(1e-9, 1e6);
      Normalization f = Normalization.fixed(a, b);
      assertEquals(f, Normalization.parse(f.spec()));
      double p = r.nextDouble(0, 50);
      Normalization pc = Normalization.percentile(p, p + r.nextDouble(1e-6, 50));
      assertEquals(pc, Normalization.parse(pc.spec()));
    });
  }

  @Test
  void badSpecsAreRejectedWithTheText() {
    for (String s : new String[] {"", "percentile", "percentile:1", "percentile:1,2,3",
        "percentile:99,1", "percentile:-1,50", "percentile:1,101", "fixed:5,5", "fixed:a,b",
        "minmax:1,2", "zscore", "fixed:NaN,1", "fixed:0,Infinity"}) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> Normalization.parse(s), s);
      assertTrue(e.getMessage().contains("normalization"), e.getMessage());
    }
  }

  @Test
  void percentilesMatchSortingForEveryPixelType() {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(longs().all(), integers().between(0, 4))
        .checkAssert((seed, kind) -> {
          SplittableRandom r = new SplittableRandom(seed);
          int w = 1 + r.nextInt(30);
          int h = 1 + r.nextInt(30);
          int d = 1 + r.nextInt(8);
          Img<? extends RealType<?>> img = switch (kind) {
            case 0 -> ArrayImgs.unsignedBytes(w, h, d);
            case 1 -> ArrayImgs.unsignedShorts(w, h, d);
            case 2 -> ArrayImgs.floats(w, h, d);
            case 3 -> ArrayImgs.ints(w, h, d);
            default -> ArrayImgs.doubles(w, h, d);
          };
          // few distinct values half of the time, to exercise ties
          int distinct = r.nextBoolean() ? 1 + r.nextInt(5) : 0;
          for (RealType<?> t : img) {
            double v = switch (kind) {
              case 0 -> r.nextInt(256);
              case 1 -> r.nextInt(65536);
              case 2 -> (float) (r.nextGaussian() * 1000);
              case 3 -> r.nextInt();
              default -> r.nextDouble(-1e12, 1e12);
            };
            if (distinct > 0) {
              v = r.nextInt(distinct) * (kind == 0 ? 37 : 1001);
            }
            t.setReal(v);
          }
          double[] qs = {0, 0.5, 1, 25, 50, 99, 99.5, 100, r.nextDouble(0, 100)};
          double[] got = Normalization.percentiles(img, qs);
          for (int i = 0; i < qs.length; i++) {
            double want = naivePercentile(img, qs[i]);
            assertEquals(want, got[i], Math.abs(want) * 1e-12, "q=" + qs[i]);
          }
        });
  }

  @Test
  void percentilesStayExactWhenOneBinHoldsMillionsOfDistinctValues() {
    // 2.1 M values crowded into [0, 1e-3] plus two far outliers: the first histogram puts almost
    // everything into bin 0, which must be narrowed again before it can be collected.
    int n = 2_100_000;
    float[] data = new float[n];
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < n; i++) {
      data[i] = (float) (r.nextDouble() * 1e-3);
    }
    data[17] = 1e6f;
    data[n - 3] = -1e6f;
    RandomAccessibleInterval<FloatType> img = ArrayImgs.floats(data, 1000, 2100, 1);
    double[] got = Normalization.percentiles(img, 0.5, 50, 99.5);
    double[] sorted = new double[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = data[i];
    }
    Arrays.sort(sorted);
    double[] qs = {0.5, 50, 99.5};
    for (int i = 0; i < 3; i++) {
      double rank = qs[i] / 100 * (n - 1);
      int k = (int) rank;
      double want = sorted[k] + (rank - k) * (sorted[k + 1] - sorted[k]);
      assertEquals(want, got[i], 0.0, "q=" + qs[i]);
    }
  }

  @Test
  void rangeAppliesWithoutClipping() {
    float[] data = new float[1000];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    Img<FloatType> img = ArrayImgs.floats(data, 10, 10, 10);
    Normalization.Range p = Normalization.percentile(1, 99).range(img);
    assertEquals(naivePercentile(img, 1), p.lo(), 1e-12);
    assertEquals(naivePercentile(img, 99), p.hi(), 1e-12);
    Normalization.Range mm = Normalization.minMax().range(img);
    assertEquals(0, mm.lo());
    assertEquals(999, mm.hi());
    RandomAccessibleInterval<FloatType> out = Normalization.percentile(1, 99).apply(img);
    Cursor<FloatType> c = Views.flatIterable(out).cursor();
    int i = 0;
    while (c.hasNext()) {
      float want = (float) ((data[i] - p.lo()) / (p.hi() - p.lo()));
      assertEquals(want, c.next().get(), 1e-6, "voxel " + i);
      i++;
    }
    assertTrue(p.apply(0) < 0 && p.apply(999) > 1, "no clipping");
    assertEquals(new Normalization.Range(0, 1), Normalization.none().range(img));
    assertEquals(new Normalization.Range(3, 7), Normalization.fixed(3, 7).range(img));
    assertEquals(0.5, Normalization.fixed(3, 7).range(img).apply(5), 1e-15);
  }

  @Test
  void constantVolumeNormalisesToZeros() {
    Img<FloatType> img = ArrayImgs.floats(4, 4, 4);
    for (FloatType t : img) {
      t.set(42);
    }
    for (Normalization n : new Normalization[] {Normalization.minMax(),
        Normalization.percentile(0.5, 99.5)}) {
      for (FloatType t : Views.iterable(n.apply(img))) {
        assertEquals(0f, t.get());
      }
    }
  }

  @Test
  void nanAndInfinityAreRejectedWithTheirPosition() {
    Img<FloatType> img = ArrayImgs.floats(3, 4, 5);
    img.randomAccess().setPositionAndGet(2, 1, 3).set(Float.NaN);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Normalization.percentile(1, 99).range(img));
    assertTrue(e.getMessage().contains("[2, 1, 3]") && e.getMessage().contains("NaN"),
        e.getMessage());
    img.randomAccess().setPositionAndGet(2, 1, 3).set(Float.POSITIVE_INFINITY);
    assertThrows(InvalidInputException.class, () -> Normalization.minMax().range(img));
    // fixed ranges do not read the image at all
    assertEquals(new Normalization.Range(0, 1), Normalization.fixed(0, 1).range(img));
  }
}
