package io.github.neuroseg.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.testing.EncodedContent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class NormalizationTest {
  private static final long SEED = 20261125L;

  // ------------------------------------------------------------------ independent references

  private static double[] sortedValues(RandomAccessibleInterval<? extends RealType<?>> img,
      boolean nonZeroOnly) {
    List<Double> l = new ArrayList<>();
    for (RealType<?> t : Views.flatIterable(img)) {
      double v = t.getRealDouble();
      if (!nonZeroOnly || v != 0) {
        l.add(v);
      }
    }
    double[] v = l.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v;
  }

  /** Sort every value and interpolate linearly (NumPy's default). */
  private static double naivePercentile(double[] sorted, double q) {
    double rank = q / 100 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
  }

  private static double naivePercentile(RandomAccessibleInterval<? extends RealType<?>> img,
      double q) {
    return naivePercentile(sortedValues(img, false), q);
  }

  /** The documented collapse test, written out. */
  private static boolean spans(double lo, double hi) {
    return hi - lo > 1e-6 * Math.max(Math.abs(lo), Math.abs(hi));
  }

  /** The documented fallback rule on sorted copies: percentiles, non-zero ones, min/max. */
  private static double[] referenceRange(RandomAccessibleInterval<? extends RealType<?>> img,
      double low, double high) {
    double[] all = sortedValues(img, false);
    double lo = naivePercentile(all, low);
    double hi = naivePercentile(all, high);
    if (spans(lo, hi)) {
      return new double[] {lo, hi};
    }
    double[] nz = sortedValues(img, true);
    if (nz.length > 0) {
      lo = naivePercentile(nz, low);
      hi = naivePercentile(nz, high);
      if (spans(lo, hi)) {
        return new double[] {lo, hi};
      }
    }
    double min = all[0];
    double max = all[all.length - 1];
    return max > min ? new double[] {min, max} : new double[] {min, min};
  }

  /** Runs {@code work}, returning its result and the SLF4J warnings it printed. */
  private static <T> T capturingWarnings(Supplier<T> work, List<String> warnings) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      return work.get();
    } finally {
      System.setErr(old);
      buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" WARN "))
          .forEach(warnings::add);
    }
  }

  /** Which fallback a warning reports. */
  private static String rule(List<String> warnings) {
    assertTrue(warnings.size() <= 1, "at most one warning per range(): " + warnings);
    if (warnings.isEmpty()) {
      return "percentiles";
    }
    String w = warnings.get(0);
    if (w.contains("percentiles of the non-zero voxels instead")) {
      return "non-zero percentiles";
    }
    if (w.contains("minimum and maximum instead")) {
      return "min/max";
    }
    assertTrue(w.contains("normalises to all zeros"), w);
    return "constant";
  }

  private static Img<FloatType> floats(double... v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return ArrayImgs.floats(f, v.length, 1, 1);
  }

  // ------------------------------------------------------------------ values and specs

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
    assertEquals(new Normalization.Fixed(0, 1), Normalization.parse(Normalization.fixed(-0.0, 1)
        .spec()));
    assertInstanceOf(Normalization.Percentile.class, Normalization.parse("percentile:1,2"));
    assertInstanceOf(Normalization.MinMax.class, Normalization.parse("minmax"));
    assertInstanceOf(Normalization.None.class, Normalization.parse("none"));
    qt().withFixedSeed(SEED).withExamples(200)
        .forAll(doubles().between(-1e6, 1e6), doubles().between(1e-9, 1e6),
            doubles().between(0, 50), doubles().between(1e-6, 50))
        .checkAssert((a, width, p, pWidth) -> {
          Normalization f = Normalization.fixed(a, a + width);
          assertEquals(f, Normalization.parse(f.spec()));
          Normalization pc = Normalization.percentile(p, p + pWidth);
          assertEquals(pc, Normalization.parse(pc.spec()));
        });
  }

  @Test
  void badSpecsAreRejectedWithTheText() {
    for (String s : new String[] {"", "percentile", "percentile:1", "percentile:1,2,3",
        "percentile:99,1", "percentile:-1,50", "percentile:1,101", "fixed:5,5", "fixed:a,b",
        "minmax:1,2", "zscore", "fixed:NaN,1", "fixed:0,Infinity", "fixed:0,1e-320"}) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> Normalization.parse(s), s);
      assertTrue(e.getMessage().contains("normalization"), e.getMessage());
    }
    assertThrows(InvalidInputException.class, () -> new Normalization.Range(2, 1));
    assertThrows(InvalidInputException.class, () -> new Normalization.Range(0, Double.NaN));
    assertThrows(InvalidInputException.class, () -> new Normalization.Range(0, 1e-320));
  }

  // ------------------------------------------------------------------ exact percentiles

  /** An image of one pixel type with values drawn for that type, or few distinct ones. */
  private record Case(int kind, int w, int h, int d, double[] values) {
    Img<? extends RealType<?>> image() {
      Img<? extends RealType<?>> img = switch (kind) {
        case 0 -> ArrayImgs.unsignedBytes(w, h, d);
        case 1 -> ArrayImgs.unsignedShorts(w, h, d);
        case 2 -> ArrayImgs.floats(w, h, d);
        case 3 -> ArrayImgs.ints(w, h, d);
        default -> ArrayImgs.doubles(w, h, d);
      };
      int i = 0;
      for (RealType<?> t : Views.flatIterable(img)) {
        t.setReal(values[i++]);
      }
      return img;
    }

    @Override
    public String toString() {
      return "type " + kind + " " + w + "x" + h + "x" + d + " "
          + Arrays.toString(Arrays.copyOf(values, Math.min(values.length, 40)));
    }
  }

  private static Gen<Double> valuesOf(int kind, boolean ties) {
    if (ties) {
      // few distinct values, to exercise ties (zero among them)
      int step = kind == 0 ? 37 : 1001;
      return integers().between(0, 4).map(k -> (double) (k * step));
    }
    return switch (kind) {
      case 0 -> integers().between(0, 255).map(Integer::doubleValue);
      case 1 -> integers().between(0, 65535).map(Integer::doubleValue);
      case 2 -> doubles().between(-4000, 4000).map(v -> (double) (float) (double) v);
      case 3 -> integers().all().map(Integer::doubleValue);
      default -> doubles().between(-1e12, 1e12);
    };
  }

  private record Shape(int kind, int w, int h, int d, boolean ties) {}

  private static Gen<Case> cases() {
    return integers().between(0, 4).zip(integers().between(1, 30), integers().between(1, 30),
        integers().between(1, 8), Generate.booleans(), Shape::new)
        .flatMap(s -> lists().of(valuesOf(s.kind(), s.ties())).ofSize(s.w() * s.h() * s.d())
            .map(l -> new Case(s.kind(), s.w(), s.h(), s.d(),
                l.stream().mapToDouble(Double::doubleValue).toArray())));
  }

  @Test
  void percentilesMatchSortingForEveryPixelType() {
    qt().withFixedSeed(SEED).withExamples(60)
        .forAll(cases(), doubles().between(0, 100))
        .checkAssert((c, extra) -> {
          Img<? extends RealType<?>> img = c.image();
          double[] qs = {0, 0.5, 1, 25, 50, 99, 99.5, 100, extra};
          OrderStatistics.Summary s = OrderStatistics.summary(img);
          double[] got = OrderStatistics.percentiles(img, s, false, qs);
          double[] all = sortedValues(img, false);
          for (int i = 0; i < qs.length; i++) {
            double want = naivePercentile(all, qs[i]);
            assertEquals(want, got[i], Math.abs(want) * 1e-12, "q=" + qs[i]);
          }
          double[] nz = sortedValues(img, true);
          assertEquals(nz.length, s.nonZero());
          assertEquals(all[0], s.min());
          assertEquals(all[all.length - 1], s.max());
          if (nz.length > 0) {
            double[] gotNz = OrderStatistics.percentiles(img, s, true, qs);
            for (int i = 0; i < qs.length; i++) {
              double want = naivePercentile(nz, qs[i]);
              assertEquals(want, gotNz[i], Math.abs(want) * 1e-12, "non-zero q=" + qs[i]);
            }
          }
        });
  }

  /**
   * An image's voxels in {@code parts} random groups, each accumulated apart (its accumulator
   * and the accumulation sent through Java serialization, as to another process) and merged in
   * a shuffled order.
   */
  private static VoxelPasses inParts(Img<? extends RealType<?>> img, int parts, long seed) {
    return new VoxelPasses() {
      @Override
      @SuppressWarnings("unchecked")
      public <A extends java.io.Serializable> A run(Accumulation<A> acc) {
        Accumulation<A> remote = (Accumulation<A>) throughSerialization(acc);
        SplittableRandom r = new SplittableRandom(seed);
        List<A> accs = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
          accs.add(remote.zero());
        }
        for (RealType<?> t : img) {
          int p = r.nextInt(parts);
          accs.set(p, remote.add(accs.get(p), t.getRealDouble()));
        }
        Collections.shuffle(accs, new java.util.Random(seed));
        A merged = (A) throughSerialization(accs.get(0));
        for (int p = 1; p < parts; p++) {
          merged = acc.merge(merged, (A) throughSerialization(accs.get(p)));
        }
        return merged;
      }
    };
  }

  private static Object throughSerialization(Object o) {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
        out.writeObject(o);
      }
      try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
          new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
        return in.readObject();
      }
    } catch (java.io.IOException | ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void rangesOfAVolumeVisitedInPartsEqualTheWholeImagesRanges() {
    qt().withFixedSeed(SEED).withExamples(40)
        .forAll(cases(), integers().between(1, 7), longs().all())
        .checkAssert((c, parts, seed) -> {
          Img<? extends RealType<?>> img = c.image();
          for (Normalization n : List.of(Normalization.percentile(0.5, 99.5),
              Normalization.percentile(3, 97), Normalization.minMax(),
              Normalization.fixed(0, 10), Normalization.none())) {
            assertEquals(n.range(img), n.range(inParts(img, parts, seed)), n + " " + c);
          }
        });
    // non-finite voxels are refused in parts too
    Img<FloatType> bad = ArrayImgs.floats(new float[] {1, Float.NaN, 3}, 3, 1, 1);
    assertThrows(InvalidInputException.class,
        () -> Normalization.minMax().range(inParts(bad, 2, 1)));
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
    double[] got = OrderStatistics.percentiles(img, 0.5, 50, 99.5);
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

  // ------------------------------------------------------------------ ranges

  @Test
  void rangeAppliesWithoutClipping() {
    float[] data = new float[1000];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    Img<FloatType> img = ArrayImgs.floats(data, 10, 10, 10);
    List<String> warnings = new ArrayList<>();
    Normalization.Range p =
        capturingWarnings(() -> Normalization.percentile(1, 99).range(img), warnings);
    assertEquals(List.of(), warnings, "no fallback, no warning");
    assertEquals(naivePercentile(img, 1), p.lo(), 1e-12);
    assertEquals(naivePercentile(img, 99), p.hi(), 1e-12);
    assertFalse(p.isConstant());
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
  void collapsedPercentilesFallBackToTheNonZeroVoxelsWithOneWarning() {
    // 10000 voxels, 8 of them non-zero: the 0.5th and 99.5th percentiles are both 0
    double[] v = new double[10_000];
    double[] nz = {3, 9, 40, 41, 100, 180, 200, 250};
    for (int i = 0; i < nz.length; i++) {
      v[1234 * i + 5] = nz[i];
    }
    Img<FloatType> img = floats(v);
    assertEquals(0, naivePercentile(img, 99.5));
    List<String> warnings = new ArrayList<>();
    Normalization.Range r =
        capturingWarnings(() -> Normalization.percentile(0.5, 99.5).range(img), warnings);
    assertEquals(naivePercentile(nz, 0.5), r.lo(), 1e-12);
    assertEquals(naivePercentile(nz, 99.5), r.hi(), 1e-12);
    assertEquals("non-zero percentiles", rule(warnings));
    String w = warnings.get(0);
    assertTrue(w.contains("percentile:0.5,99.5") && w.contains("10000 voxels")
        && w.contains("8 non-zero") && w.contains("lo = " + r.lo()), w);
  }

  @Test
  void whenTheNonZeroVoxelsAgreeTooTheMinimumAndMaximumAreUsed() {
    double[] v = new double[5000];
    v[7] = 200;
    v[4000] = 200;
    List<String> warnings = new ArrayList<>();
    Normalization.Range r = capturingWarnings(
        () -> Normalization.percentile(0.5, 99.5).range(floats(v)), warnings);
    assertEquals(new Normalization.Range(0, 200), r);
    assertEquals("min/max", rule(warnings));
  }

  @Test
  void aRangeWithinFloatRoundingOfItsEndsIsCollapsed() {
    // no zeros at all: the percentiles differ by one ulp of 1000, so the min/max is used
    double[] v = new double[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 2 == 0 ? 1000 : Math.nextUp(1000.0);
    }
    v[500] = 2000;
    RandomAccessibleInterval<? extends RealType<?>> img = ArrayImgs.doubles(v, v.length, 1, 1);
    List<String> warnings = new ArrayList<>();
    Normalization.Range r = capturingWarnings(
        () -> Normalization.percentile(0.5, 99.5).range(img), warnings);
    assertEquals(new Normalization.Range(1000, 2000), r);
    assertEquals("min/max", rule(warnings));
  }

  @Test
  void constantVolumesGiveAConstantRangeThatMapsToZeros() {
    for (double value : new double[] {42, 0, -3.5}) {
      Img<FloatType> img = ArrayImgs.floats(4, 4, 4);
      for (FloatType t : img) {
        t.setReal(value);
      }
      for (Normalization n : new Normalization[] {Normalization.minMax(),
          Normalization.percentile(0.5, 99.5)}) {
        List<String> warnings = new ArrayList<>();
        Normalization.Range r = capturingWarnings(() -> n.range(img), warnings);
        assertTrue(r.isConstant(), n + " on " + value);
        assertEquals(0, r.scale());
        assertEquals("constant", rule(warnings));
        assertTrue(warnings.get(0).contains("every voxel is " + value), warnings.get(0));
        for (FloatType t : Views.iterable(n.apply(img))) {
          assertEquals(0f, t.get());
        }
      }
      // fixed ranges do not look at the data
      assertFalse(Normalization.fixed(0, 1).range(img).isConstant());
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

  // ------------------------------------------------------------------ encodings

  /**
   * The same content as 8-bit, 16-bit (x 257) and float (/ 255), dense, sparse (99.9% zeros),
   * few-valued or constant: the ranges follow the documented rule (checked against sorting) with
   * the same fallback in every encoding, and map every voxel to the same normalised value up to
   * float rounding. The float encoding rounds each voxel by up to 2^-24 relative, which the
   * division by {@code hi - lo} magnifies by {@code max|v| / (hi - lo)}: the tolerance is 1e-6
   * times that factor (1e-6 when the range spans the data).
   */
  @Test
  void theSameContentInEveryEncodingNormalisesAlike() {
    Gen<Normalization> norms = Generate.oneOf(Generate.constant(Normalization.percentile(0.5,
            99.5)), Generate.constant(Normalization.minMax()),
        doubles().between(0, 49).zip(doubles().between(51, 100), Normalization::percentile));
    qt().withFixedSeed(SEED).withExamples(100)
        .forAll(EncodedContent.any(32, 8), norms)
        .checkAssert((content, norm) -> {
          if (content.kind().startsWith("sparse")) {
            assertTrue(content.zeroFraction() >= 0.999, content.toString());
          }
          List<RandomAccessibleInterval<? extends RealType<?>>> enc = content.encodings();
          List<Normalization.Range> ranges = new ArrayList<>();
          List<String> rules = new ArrayList<>();
          for (RandomAccessibleInterval<? extends RealType<?>> img : enc) {
            List<String> warnings = new ArrayList<>();
            ranges.add(capturingWarnings(() -> norm.range(img), warnings));
            rules.add(rule(warnings));
          }
          assertEquals(rules.get(0), rules.get(1), "16-bit: " + rules);
          assertEquals(rules.get(0), rules.get(2), "float: " + rules);
          Normalization.Range r8 = ranges.get(0);
          if (norm instanceof Normalization.Percentile p) {
            double[] want = referenceRange(enc.get(0), p.low(), p.high());
            assertEquals(want[0], r8.lo(), 1e-12 * Math.abs(want[0]));
            assertEquals(want[1], r8.hi(), 1e-12 * Math.abs(want[1]));
          }
          boolean constant = Arrays.stream(content.values()).distinct().count() == 1;
          for (Normalization.Range r : ranges) {
            assertEquals(constant, r.isConstant(), r.toString());
          }
          double magnify = 1 + 255 * r8.scale();
          List<float[]> normalised = new ArrayList<>();
          for (int e = 0; e < 3; e++) {
            float[] f = new float[content.values().length];
            int i = 0;
            for (FloatType t : Views.flatIterable(ranges.get(e).apply(enc.get(e)))) {
              f[i++] = t.get();
            }
            normalised.add(f);
          }
          for (int e = 1; e < 3; e++) {
            String encoding = e == 1 ? "16-bit" : "float";
            for (int i = 0; i < content.values().length; i++) {
              float a = normalised.get(0)[i];
              float b = normalised.get(e)[i];
              int voxel = i;
              assertEquals(a, b, 1e-6 * (1 + Math.abs(a)) * magnify, () -> encoding + " voxel "
                  + voxel + " of value " + content.values()[voxel] + ", ranges " + ranges);
            }
          }
        });
  }
}
