package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.VoxelRows;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.IntStream;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import org.jspecify.annotations.Nullable;

/**
 * Exact order statistics of an image's voxel values, for {@link Normalization}: minimum, maximum
 * and percentiles (NumPy's default linear interpolation), over all voxels or over the non-zero
 * ones only, without sorting or copying the image.
 *
 * <p>8- and 16-bit unsigned images take one pass: a histogram of their exact values answers
 * everything. So do images of any other type whose values are all integers in [-32768, 65535]
 * (integer data stored as floats): the summary pass keeps their exact histogram while it can.
 * Other images: a histogram of 65536 bins over the value range locates the bin
 * holding each wanted rank; a bin holding one distinct value gives the answer directly, a bin
 * with few voxels is collected and sorted, and any other bin becomes the range of the next
 * histogram pass. All wanted ranks share each pass. Memory is bounded (a few histograms per
 * thread and at most about a million collected values per rank); time is the summary pass plus
 * one histogram pass for integer-valued data, a few more for floating-point data.
 *
 * <p>Array- and plane-backed images are read straight from their arrays and in parallel (one
 * part of the rows per processor, see {@link VoxelRows}); the parts' counts, minima and maxima
 * are merged exactly, so the results do not depend on the number of threads. Other images are
 * read in one pass through a cursor. A volume visited in passes ({@link VoxelPasses}, e.g. by a
 * cluster's executors) takes the same search, each pass merged from its parts.
 */
final class OrderStatistics {
  /** Bins per histogram pass when looking for an order statistic. */
  private static final int BINS = 1 << 16;
  /** A bin with at most this many voxels is collected and searched directly. */
  private static final int COLLECT_LIMIT = 1 << 20;
  /** Images with fewer voxels are read by one thread: parts would cost more than they save. */
  private static final long PARALLEL_MIN = 1 << 18;
  /**
   * The window of the exact histogram the summary pass of an image that is not 8- or 16-bit
   * keeps while every value is an integer in it: integer data stored as floats or wider
   * integers, whose percentiles then need no further pass.
   */
  private static final int INT_LO = -32768;
  private static final int INT_HI = 65535;

  private OrderStatistics() {}

  /**
   * What one pass over an image tells.
   *
   * @param count voxels
   * @param nonZero voxels that are not 0 (nor -0)
   * @param min the smallest value
   * @param max the largest value
   * @param minNonZero the smallest non-zero value; NaN when {@code nonZero == 0}
   * @param maxNonZero the largest non-zero value; NaN when {@code nonZero == 0}
   */
  record Summary(long count, long nonZero, double min, double max, double minNonZero,
      double maxNonZero) {}

  /**
   * Count, non-zero count, minimum and maximum of an image, in one pass.
   *
   * @throws InvalidInputException for an empty image or a NaN or infinite voxel (with its
   *     position)
   */
  static Summary summary(RandomAccessibleInterval<? extends RealType<?>> image) {
    return source(image).summary();
  }

  /**
   * Exact percentiles of all voxel values (one {@link #summary} pass plus the histogram passes).
   *
   * @throws InvalidInputException as {@link #summary}, or for a percentile outside [0, 100]
   */
  static double[] percentiles(
      RandomAccessibleInterval<? extends RealType<?>> image, double... percentiles) {
    Source s = source(image);
    return s.percentiles(s.summary(), false, percentiles);
  }

  /**
   * Exact percentiles of the voxel values, or of the non-zero voxel values only.
   *
   * @param summary the image's {@link #summary}
   * @param nonZeroOnly whether to leave out the voxels that are 0; then {@code summary.nonZero()}
   *     must be positive
   * @param percentiles each in [0, 100]
   * @return one value per percentile, in the given order
   * @throws InvalidInputException for a percentile outside [0, 100]
   */
  static double[] percentiles(RandomAccessibleInterval<? extends RealType<?>> image,
      Summary summary, boolean nonZeroOnly, double... percentiles) {
    return source(image).percentiles(summary, nonZeroOnly, percentiles);
  }

  /** The summary pass of {@link #summary(VoxelPasses)}; non-finite values are counted. */
  private static final class SummaryAcc implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    long count;
    long nonZero;
    long nonFinite;
    double firstNonFinite;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double minNz = Double.POSITIVE_INFINITY;
    double maxNz = Double.NEGATIVE_INFINITY;
  }

  private static final class SummaryPass implements VoxelPasses.Accumulation<SummaryAcc> {
    private static final long serialVersionUID = 1L;

    @Override
    public SummaryAcc zero() {
      return new SummaryAcc();
    }

    @Override
    public SummaryAcc add(SummaryAcc a, double v) {
      a.count++;
      if (!Double.isFinite(v)) {
        if (a.nonFinite++ == 0) {
          a.firstNonFinite = v;
        }
        return a;
      }
      a.min = Math.min(a.min, v);
      a.max = Math.max(a.max, v);
      if (v != 0) {
        a.nonZero++;
        a.minNz = Math.min(a.minNz, v);
        a.maxNz = Math.max(a.maxNz, v);
      }
      return a;
    }

    @Override
    public SummaryAcc merge(SummaryAcc a, SummaryAcc b) {
      if (a.nonFinite == 0 && b.nonFinite > 0) {
        a.firstNonFinite = b.firstNonFinite;
      }
      a.count += b.count;
      a.nonZero += b.nonZero;
      a.nonFinite += b.nonFinite;
      a.min = Math.min(a.min, b.min);
      a.max = Math.max(a.max, b.max);
      a.minNz = Math.min(a.minNz, b.minNz);
      a.maxNz = Math.max(a.maxNz, b.maxNz);
      return a;
    }
  }

  /**
   * Count, non-zero count, minimum and maximum of a volume visited in passes, in one pass.
   *
   * @throws InvalidInputException for an empty volume or NaN or infinite voxels
   */
  static Summary summary(VoxelPasses voxels) {
    SummaryAcc a = voxels.run(new SummaryPass());
    if (a.count == 0) {
      throw new InvalidInputException("cannot normalise an empty volume");
    }
    if (a.nonFinite > 0) {
      throw new InvalidInputException(a.nonFinite + " voxels are not finite (the first one seen "
          + "is " + a.firstNonFinite + "); intensities must be finite numbers");
    }
    return a.nonZero == 0
        ? new Summary(a.count, 0, a.min, a.max, Double.NaN, Double.NaN)
        : new Summary(a.count, a.nonZero, a.min, a.max, a.minNz, a.maxNz);
  }

  /**
   * Exact percentiles of the values of a volume visited in passes, or of its non-zero values.
   *
   * @see #percentiles(RandomAccessibleInterval, Summary, boolean, double...)
   */
  static double[] percentiles(VoxelPasses image, Summary summary, boolean nonZeroOnly,
      double... percentiles) {
    long n = nonZeroOnly ? summary.nonZero() : summary.count();
    long[] ks = rankPairs(percentiles, n);
    double[] v = nonZeroOnly
        ? orderStatistics(image, true, ks, summary.minNonZero(), summary.maxNonZero())
        : orderStatistics(image, false, ks, summary.min(), summary.max());
    return interpolate(percentiles, n, ks, v);
  }

  /**
   * The 0-based ranks a percentile's linear interpolation (NumPy's default) reads among {@code
   * n} sorted values: for percentile {@code i}, {@code floor(q / 100 * (n - 1))} at {@code 2i}
   * and the next rank (capped at {@code n - 1}) at {@code 2i + 1}.
   *
   * @throws InvalidInputException for a percentile outside [0, 100]
   */
  private static long[] rankPairs(double[] percentiles, long n) {
    for (double q : percentiles) {
      if (!(q >= 0 && q <= 100)) {
        throw new InvalidInputException("percentile must be in [0, 100], got " + q);
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("no voxels to take percentiles of");
    }
    long[] ks = new long[2 * percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double rank = percentiles[i] / 100.0 * (n - 1);
      ks[2 * i] = (long) Math.floor(rank);
      ks[2 * i + 1] = Math.min(ks[2 * i] + 1, n - 1);
    }
    return ks;
  }

  /** The percentiles from the values {@code v} at the {@link #rankPairs ranks} {@code ks}. */
  private static double[] interpolate(double[] percentiles, long n, long[] ks, double[] v) {
    double[] out = new double[percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double frac = percentiles[i] / 100.0 * (n - 1) - ks[2 * i];
      double a = v[2 * i];
      out[i] = frac > 0 ? a + frac * (v[2 * i + 1] - a) : a;
    }
    return out;
  }

  /**
   * The statistics of one image, for several questions: the summary is computed once, and for
   * 8- and 16-bit unsigned images so is the histogram of exact values every answer comes from.
   *
   * @throws InvalidInputException for an empty image
   */
  static Source source(RandomAccessibleInterval<? extends RealType<?>> image) {
    if (Intervals.numElements(image) == 0) {
      throw new InvalidInputException(
          "cannot normalise an empty image of size "
              + Arrays.toString(image.dimensionsAsLongArray()));
    }
    return new Source(VoxelRows.of(image));
  }

  /** One image's statistics; not thread-safe. */
  static final class Source {
    private final VoxelRows rows;
    /** Exact histogram of the values: bin {@code b} counts the value {@code b + offset}. */
    private long @Nullable [] exact;
    private int offset;
    private @Nullable Summary summary;

    private Source(VoxelRows rows) {
      this.rows = rows;
    }

    /**
     * The image's summary (computed on the first call).
     *
     * @throws InvalidInputException for a NaN or infinite voxel (with its position)
     */
    Summary summary() {
      if (summary == null) {
        if (rows.unsigned16()) {
          summary = fromHistogram(histogram(), 0);
        } else {
          Scan s = scan(rows);
          summary = s.summary();
          exact = s.integers();
          offset = INT_LO;
        }
      }
      return summary;
    }

    /** As {@link OrderStatistics#percentiles(RandomAccessibleInterval, Summary, boolean, double...)}. */
    double[] percentiles(Summary summary, boolean nonZeroOnly, double... percentiles) {
      long n = nonZeroOnly ? summary.nonZero() : summary.count();
      long[] ks = rankPairs(percentiles, n);
      double[] v;
      if (rows.unsigned16()) {
        v = ranks(histogram(), 0, nonZeroOnly, ks);
      } else if (exact != null) {
        v = ranks(exact, offset, nonZeroOnly, ks);
      } else {
        v = nonZeroOnly
            ? orderStatistics(rows, true, ks, summary.minNonZero(), summary.maxNonZero())
            : orderStatistics(rows, false, ks, summary.min(), summary.max());
      }
      return interpolate(percentiles, n, ks, v);
    }

    /** The histogram of exact values of an unsigned 8- or 16-bit image, in one (parallel) pass. */
    private long[] histogram() {
      if (exact == null) {
        int bins = 1 << 16;
        List<long[]> parts = eachPart(rows, (from, to) -> {
          long[] h = new long[bins];
          VoxelRows.Reader r = rows.reader(from, to);
          for (long row = from; row < to; row++) {
            r.count(h);
          }
          return h;
        });
        long[] h = parts.get(0);
        for (int p = 1; p < parts.size(); p++) {
          long[] o = parts.get(p);
          for (int b = 0; b < bins; b++) {
            h[b] += o[b];
          }
        }
        exact = h;
      }
      return exact;
    }
  }

  /** The summary told by a histogram of exact values (bin {@code b} is {@code b + offset}). */
  private static Summary fromHistogram(long[] h, int offset) {
    long n = 0;
    long nonZero = 0;
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    int minNz = Integer.MAX_VALUE;
    int maxNz = Integer.MIN_VALUE;
    for (int b = 0; b < h.length; b++) {
      if (h[b] > 0) {
        int v = b + offset;
        n += h[b];
        min = Math.min(min, v);
        max = v;
        if (v != 0) {
          nonZero += h[b];
          minNz = Math.min(minNz, v);
          maxNz = v;
        }
      }
    }
    return nonZero == 0
        ? new Summary(n, 0, min, max, Double.NaN, Double.NaN)
        : new Summary(n, nonZero, min, max, minNz, maxNz);
  }

  /** The values of 0-based ranks {@code ks} from a histogram of exact values. */
  private static double[] ranks(long[] h, int offset, boolean skipZeros, long[] ks) {
    int zero = -offset;
    double[] out = new double[ks.length];
    for (int i = 0; i < ks.length; i++) {
      long seen = 0;
      int b = 0;
      while (true) {
        long c = skipZeros && b == zero ? 0 : h[b];
        if (seen + c > ks[i]) {
          break;
        }
        seen += c;
        b++;
      }
      out[i] = b + offset;
    }
    return out;
  }

  /**
   * Runs {@code part(from, to)} over consecutive parts of the rows and returns the results in
   * part order: one part per processor for array-backed images of at least {@link
   * #PARALLEL_MIN} voxels, run in parallel, else one part.
   */
  static <T> List<T> eachPart(VoxelRows rows, BiFunction<Long, Long, T> part) {
    int n = rows.direct() && rows.count() >= PARALLEL_MIN
        ? (int) Math.min(rows.rows(), Runtime.getRuntime().availableProcessors()) : 1;
    long total = rows.rows();
    if (n <= 1) {
      return List.of(part.apply(0L, total));
    }
    return IntStream.range(0, n).parallel()
        .mapToObj(i -> part.apply(total * i / n, total * (i + 1) / n))
        .toList();
  }

  /** A part's share of a summary, with the first non-finite voxel it met. */
  private static final class PartSummary {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double minNz = Double.POSITIVE_INFINITY;
    double maxNz = Double.NEGATIVE_INFINITY;
    long nonZero;
    long badIndex = -1;
    double bad;
    /** The part's exact histogram over [INT_LO, INT_HI], or null once a value left it. */
    long @Nullable [] integers;
  }

  /**
   * A summary pass: the summary, and the exact histogram of the values when every one is an
   * integer in [{@value #INT_LO}, {@value #INT_HI}] (bin {@code b} is {@code b + INT_LO}).
   */
  private record Scan(Summary summary, long @Nullable [] integers) {}

  /** The summary of an image that is not 8- or 16-bit unsigned. */
  private static Scan scan(VoxelRows rows) {
    int w = rows.width();
    List<PartSummary> parts = eachPart(rows, (from, to) -> {
      PartSummary s = new PartSummary();
      double[] buf = new double[w];
      long[] ints = new long[INT_HI - INT_LO + 1];
      boolean integral = true;
      VoxelRows.Reader r = rows.reader(from, to);
      double min = s.min;
      double max = s.max;
      double minNz = s.minNz;
      double maxNz = s.maxNz;
      long nonZero = 0;
      rowLoop:
      for (long row = from; row < to; row++) {
        r.read(buf);
        for (int x = 0; x < w; x++) {
          double v = buf[x];
          if (!Double.isFinite(v)) {
            s.badIndex = row * w + x;
            s.bad = v;
            break rowLoop;
          }
          if (v < min) {
            min = v;
          }
          if (v > max) {
            max = v;
          }
          if (v != 0) {
            nonZero++;
            if (v < minNz) {
              minNz = v;
            }
            if (v > maxNz) {
              maxNz = v;
            }
          }
          if (integral) {
            int iv = (int) v;
            if (iv == v && iv >= INT_LO && iv <= INT_HI) {
              ints[iv - INT_LO]++;
            } else {
              integral = false;
            }
          }
        }
      }
      s.min = min;
      s.max = max;
      s.minNz = minNz;
      s.maxNz = maxNz;
      s.nonZero = nonZero;
      s.integers = integral ? ints : null;
      return s;
    });
    PartSummary all = new PartSummary();
    long[] ints = parts.get(0).integers;
    for (PartSummary p : parts) {
      if (p.badIndex >= 0) {
        // parts are in row order: the first bad part has the first bad voxel
        throw new InvalidInputException("voxel at " + rows.positionText(p.badIndex) + " is "
            + p.bad + "; intensities must be finite numbers");
      }
      all.min = Math.min(all.min, p.min);
      all.max = Math.max(all.max, p.max);
      all.minNz = Math.min(all.minNz, p.minNz);
      all.maxNz = Math.max(all.maxNz, p.maxNz);
      all.nonZero += p.nonZero;
      if (p.integers == null) {
        ints = null;
      } else if (ints != null && p.integers != ints) {
        for (int b = 0; b < ints.length; b++) {
          ints[b] += p.integers[b];
        }
      }
    }
    long n = rows.count();
    Summary s = all.nonZero == 0
        ? new Summary(n, 0, all.min, all.max, Double.NaN, Double.NaN)
        : new Summary(n, all.nonZero, all.min, all.max, all.minNz, all.maxNz);
    return new Scan(s, ints);
  }

  /** The search for one order statistic: rank {@code k} within the value window [lo, hi]. */
  private static final class Target {
    final long k;
    double lo;
    double hi;
    double value = Double.NaN;
    boolean done;
    /** Set when the window is small enough to collect: the rank within the window. */
    long collectRank = -1;

    Target(long k, double lo, double hi) {
      this.k = k;
      this.lo = lo;
      this.hi = hi;
      this.done = lo == hi;
      if (done) {
        value = lo;
      }
    }

    String window() {
      return lo + ":" + hi;
    }
  }

  /** A histogram of the values in [lo, hi], plus the count below lo. */
  private static final class Histogram implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final double lo;
    final double hi;
    final double perBin;
    final long[] count = new long[BINS];
    final double[] min = new double[BINS];
    final double[] max = new double[BINS];
    long under;

    Histogram(double lo, double hi) {
      this.lo = lo;
      this.hi = hi;
      this.perBin = BINS / (hi - lo);
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    void add(double v) {
      if (v < lo) {
        under++;
      } else if (v <= hi) {
        int b = (int) ((v - lo) * perBin);
        b = b < 0 ? 0 : Math.min(b, BINS - 1);
        count[b]++;
        if (v < min[b]) {
          min[b] = v;
        }
        if (v > max[b]) {
          max[b] = v;
        }
      }
    }

    /** Adds another part's histogram of the same window: exact, in any order. */
    void merge(Histogram o) {
      under += o.under;
      for (int b = 0; b < BINS; b++) {
        count[b] += o.count[b];
        min[b] = Math.min(min[b], o.min[b]);
        max[b] = Math.max(max[b], o.max[b]);
      }
    }
  }

  /** One histogram pass over the open windows. */
  private record HistogramPass(double[][] windows, boolean skipZeros)
      implements VoxelPasses.Accumulation<Histogram[]> {
    @Override
    public Histogram[] zero() {
      Histogram[] hs = new Histogram[windows.length];
      for (int i = 0; i < hs.length; i++) {
        hs[i] = new Histogram(windows[i][0], windows[i][1]);
      }
      return hs;
    }

    @Override
    public Histogram[] add(Histogram[] hs, double v) {
      if (!(skipZeros && v == 0)) {
        for (Histogram h : hs) {
          h.add(v);
        }
      }
      return hs;
    }

    @Override
    public Histogram[] merge(Histogram[] a, Histogram[] b) {
      for (int i = 0; i < a.length; i++) {
        a[i].merge(b[i]);
      }
      return a;
    }
  }

  /** The values inside each window, one growable array per window. */
  private static final class Collected implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final double[][] values;
    final int[] size;

    Collected(int windows) {
      values = new double[windows][16];
      size = new int[windows];
    }

    void add(int i, double v) {
      if (size[i] == values[i].length) {
        values[i] = Arrays.copyOf(values[i], values[i].length * 2);
      }
      values[i][size[i]++] = v;
    }
  }

  /** One pass gathering the values of every window still to collect. */
  private record CollectPass(double[][] windows, boolean skipZeros)
      implements VoxelPasses.Accumulation<Collected> {
    @Override
    public Collected zero() {
      return new Collected(windows.length);
    }

    @Override
    public Collected add(Collected c, double v) {
      if (!(skipZeros && v == 0)) {
        for (int i = 0; i < windows.length; i++) {
          if (v >= windows[i][0] && v <= windows[i][1]) {
            c.add(i, v);
          }
        }
      }
      return c;
    }

    @Override
    public Collected merge(Collected a, Collected b) {
      for (int i = 0; i < windows.length; i++) {
        for (int k = 0; k < b.size[i]; k++) {
          a.add(i, b.values[i][k]);
        }
      }
      return a;
    }
  }

  /**
   * The k-th smallest values (0-based) of the image's values (the non-zero ones when {@code
   * skipZeros}), which all lie in [min, max]. Each pass histograms the values in every open window
   * at once and narrows each target's window to the bin holding its rank, until that bin holds one
   * distinct value (always so for integer data of up to 16 bits) or few enough voxels to collect
   * and sort in one more pass.
   *
   * @param histograms one pass: the histograms of the values in the given windows ({@code [lo,
   *     hi]} each), zeros left out when skipping them
   * @param collect one pass: the values in each of the given windows, in any order
   */
  private static double[] orderStatistics(Function<double[][], Histogram[]> histograms,
      Function<double[][], double[][]> collect, long[] ks, double min, double max) {
    Target[] targets = new Target[ks.length];
    for (int i = 0; i < ks.length; i++) {
      targets[i] = new Target(ks[i], min, max);
    }
    while (true) {
      Map<String, double[]> windows = new LinkedHashMap<>();
      for (Target t : targets) {
        if (!t.done && t.collectRank < 0) {
          windows.putIfAbsent(t.window(), new double[] {t.lo, t.hi});
        }
      }
      if (windows.isEmpty()) {
        break;
      }
      Histogram[] hs = histograms.apply(windows.values().toArray(new double[0][]));
      Map<String, Histogram> hists = new LinkedHashMap<>();
      int i = 0;
      for (String key : windows.keySet()) {
        hists.put(key, hs[i++]);
      }
      for (Target t : targets) {
        if (t.done || t.collectRank >= 0) {
          continue;
        }
        Histogram h = hists.get(t.window());
        long seen = h.under; // voxels below the window come before every bin
        int b = 0;
        while (seen + h.count[b] <= t.k) {
          seen += h.count[b];
          b++;
        }
        if (h.min[b] == h.max[b]) {
          t.value = h.min[b];
          t.done = true;
        } else if (h.count[b] <= COLLECT_LIMIT || h.min[b] == t.lo && h.max[b] == t.hi) {
          // the second case cannot be narrowed further (two adjacent doubles): collect anyway
          t.lo = h.min[b];
          t.hi = h.max[b];
          t.collectRank = t.k - seen;
        } else {
          t.lo = h.min[b];
          t.hi = h.max[b];
        }
      }
    }
    Map<String, double[]> bounds = new LinkedHashMap<>();
    for (Target t : targets) {
      if (!t.done) {
        bounds.putIfAbsent(t.window(), new double[] {t.lo, t.hi});
      }
    }
    if (!bounds.isEmpty()) {
      double[][] values = collect.apply(bounds.values().toArray(new double[0][]));
      Map<String, double[]> sorted = new LinkedHashMap<>();
      int i = 0;
      for (String key : bounds.keySet()) {
        Arrays.sort(values[i]);
        sorted.put(key, values[i++]);
      }
      for (Target t : targets) {
        if (!t.done) {
          double[] v = sorted.get(t.window());
          t.value = v[(int) Math.min(t.collectRank, v.length - 1)];
          t.done = true;
        }
      }
    }
    double[] out = new double[ks.length];
    for (int i = 0; i < ks.length; i++) {
      out[i] = targets[i].value;
    }
    return out;
  }

  /** {@link #orderStatistics} over rows read in parallel parts. */
  private static double[] orderStatistics(VoxelRows rows, boolean skipZeros, long[] ks,
      double min, double max) {
    return orderStatistics(w -> histograms(rows, skipZeros, w), b -> collect(rows, skipZeros, b),
        ks, min, max);
  }

  /** {@link #orderStatistics} over a volume visited in passes. */
  private static double[] orderStatistics(VoxelPasses image, boolean skipZeros, long[] ks,
      double min, double max) {
    return orderStatistics(w -> image.run(new HistogramPass(w, skipZeros)), b -> {
      Collected c = image.run(new CollectPass(b, skipZeros));
      double[][] v = new double[b.length][];
      for (int i = 0; i < b.length; i++) {
        v[i] = Arrays.copyOf(c.values[i], c.size[i]);
      }
      return v;
    }, ks, min, max);
  }

  /** One histogram pass over the rows, in parallel parts merged exactly. */
  private static Histogram[] histograms(VoxelRows rows, boolean skipZeros, double[][] bounds) {
    int w = rows.width();
    List<Histogram[]> parts = eachPart(rows, (from, to) -> {
      Histogram[] hs = new Histogram[bounds.length];
      for (int i = 0; i < hs.length; i++) {
        hs[i] = new Histogram(bounds[i][0], bounds[i][1]);
      }
      double[] buf = new double[w];
      VoxelRows.Reader r = rows.reader(from, to);
      for (long row = from; row < to; row++) {
        r.read(buf);
        for (int x = 0; x < w; x++) {
          double v = buf[x];
          if (skipZeros && v == 0) {
            continue;
          }
          for (Histogram h : hs) {
            h.add(v);
          }
        }
      }
      return hs;
    });
    Histogram[] hs = parts.get(0);
    for (int p = 1; p < parts.size(); p++) {
      for (int i = 0; i < hs.length; i++) {
        hs[i].merge(parts.get(p)[i]);
      }
    }
    return hs;
  }

  /**
   * One pass gathering the values of every window, in parallel parts (each first counted, then
   * filled: the windows' sizes are not kept from the histogram pass); the caller sorts them, which
   * makes the parts' order irrelevant.
   */
  private static double[][] collect(VoxelRows rows, boolean skipZeros, double[][] b) {
    int w = rows.width();
    List<double[][]> parts = eachPart(rows, (from, to) -> {
      double[] buf = new double[w];
      int[] size = new int[b.length];
      VoxelRows.Reader r = rows.reader(from, to);
      for (long row = from; row < to; row++) {
        r.read(buf);
        for (int x = 0; x < w; x++) {
          double v = buf[x];
          if (skipZeros && v == 0) {
            continue;
          }
          for (int i = 0; i < b.length; i++) {
            if (v >= b[i][0] && v <= b[i][1]) {
              size[i]++;
            }
          }
        }
      }
      double[][] values = new double[b.length][];
      for (int i = 0; i < b.length; i++) {
        values[i] = new double[size[i]];
      }
      int[] fill = new int[b.length];
      r = rows.reader(from, to);
      for (long row = from; row < to; row++) {
        r.read(buf);
        for (int x = 0; x < w; x++) {
          double v = buf[x];
          if (skipZeros && v == 0) {
            continue;
          }
          for (int i = 0; i < b.length; i++) {
            if (v >= b[i][0] && v <= b[i][1]) {
              values[i][fill[i]++] = v;
            }
          }
        }
      }
      return values;
    });
    double[][] all = new double[b.length][];
    for (int i = 0; i < b.length; i++) {
      int total = 0;
      for (double[][] p : parts) {
        total += p[i].length;
      }
      all[i] = new double[total];
      int at = 0;
      for (double[][] p : parts) {
        System.arraycopy(p[i], 0, all[i], at, p[i].length);
        at += p[i].length;
      }
    }
    return all;
  }
}
