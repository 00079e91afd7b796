package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * Exact order statistics of an image's voxel values, for {@link Normalization}: minimum, maximum
 * and percentiles (NumPy's default linear interpolation), over all voxels or over the non-zero
 * ones only, without sorting or copying the image.
 *
 * <p>A histogram of 65536 bins over the value range locates the bin holding each wanted rank; a
 * bin holding one distinct value (always the case for 8- and 16-bit data) gives the answer
 * directly, a bin with few voxels is collected and sorted, and any other bin becomes the range of
 * the next histogram pass. All wanted ranks share each pass. Memory is bounded (a few histograms
 * and at most about a million collected values per rank); time is two passes over the image for
 * integer data of up to 16 bits (the {@link #summary} pass included), a few more for
 * floating-point data.
 */
final class OrderStatistics {
  /** Bins per histogram pass when looking for an order statistic. */
  private static final int BINS = 1 << 16;
  /** A bin with at most this many voxels is collected and searched directly. */
  private static final int COLLECT_LIMIT = 1 << 20;

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
   * Count, non-zero count, minimum and maximum of an image, in one pass.
   *
   * @throws InvalidInputException for an empty image or a NaN or infinite voxel (with its
   *     position)
   */
  static Summary summary(RandomAccessibleInterval<? extends RealType<?>> image) {
    long n = Intervals.numElements(image);
    if (n == 0) {
      throw new InvalidInputException(
          "cannot normalise an empty image of size "
              + Arrays.toString(image.dimensionsAsLongArray()));
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double minNz = Double.POSITIVE_INFINITY;
    double maxNz = Double.NEGATIVE_INFINITY;
    long nonZero = 0;
    Cursor<? extends RealType<?>> c = Views.iterable(image).cursor();
    while (c.hasNext()) {
      double v = c.next().getRealDouble();
      if (!Double.isFinite(v)) {
        throw new InvalidInputException(
            "voxel at " + Arrays.toString(c.positionAsLongArray()) + " is " + v
                + "; intensities must be finite numbers");
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
    }
    return nonZero == 0
        ? new Summary(n, 0, min, max, Double.NaN, Double.NaN)
        : new Summary(n, nonZero, min, max, minNz, maxNz);
  }

  /**
   * Exact percentiles of all voxel values (one {@link #summary} pass plus the histogram passes).
   *
   * @throws InvalidInputException as {@link #summary}, or for a percentile outside [0, 100]
   */
  static double[] percentiles(
      RandomAccessibleInterval<? extends RealType<?>> image, double... percentiles) {
    return percentiles(image, summary(image), false, percentiles);
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
    return percentiles(VoxelPasses.of(image), summary, nonZeroOnly, percentiles);
  }

  /**
   * Exact percentiles of the values of a volume visited in passes, or of its non-zero values.
   *
   * @see #percentiles(RandomAccessibleInterval, Summary, boolean, double...)
   */
  static double[] percentiles(VoxelPasses image, Summary summary, boolean nonZeroOnly,
      double... percentiles) {
    for (double q : percentiles) {
      if (!(q >= 0 && q <= 100)) {
        throw new InvalidInputException("percentile must be in [0, 100], got " + q);
      }
    }
    long n = nonZeroOnly ? summary.nonZero() : summary.count();
    if (n == 0) {
      throw new IllegalArgumentException("no voxels to take percentiles of");
    }
    long[] ks = new long[2 * percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double rank = percentiles[i] / 100.0 * (n - 1);
      ks[2 * i] = (long) Math.floor(rank);
      ks[2 * i + 1] = Math.min(ks[2 * i] + 1, n - 1);
    }
    double[] v = nonZeroOnly
        ? orderStatistics(image, true, ks, summary.minNonZero(), summary.maxNonZero())
        : orderStatistics(image, false, ks, summary.min(), summary.max());
    double[] out = new double[percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double frac = percentiles[i] / 100.0 * (n - 1) - ks[2 * i];
      double a = v[2 * i];
      out[i] = frac > 0 ? a + frac * (v[2 * i + 1] - a) : a;
    }
    return out;
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
   */
  private static double[] orderStatistics(VoxelPasses image, boolean skipZeros, long[] ks,
      double min, double max) {
    Target[] targets = new Target[ks.length];
    for (int i = 0; i < ks.length; i++) {
      targets[i] = new Target(ks[i], min, max);
    }
    while (true) {
      Map<String, Histogram> hists = new LinkedHashMap<>();
      for (Target t : targets) {
        if (!t.done && t.collectRank < 0) {
          hists.computeIfAbsent(t.window(), key -> new Histogram(t.lo, t.hi));
        }
      }
      if (hists.isEmpty()) {
        break;
      }
      double[][] windows = new double[hists.size()][];
      int w = 0;
      for (Histogram h : hists.values()) {
        windows[w++] = new double[] {h.lo, h.hi};
      }
      Histogram[] hs = image.run(new HistogramPass(windows, skipZeros));
      int j = 0;
      for (String key : hists.keySet()) {
        hists.put(key, hs[j++]);
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
    collect(image, skipZeros, targets);
    double[] out = new double[ks.length];
    for (int i = 0; i < ks.length; i++) {
      out[i] = targets[i].value;
    }
    return out;
  }

  /** One pass gathering the values of every window still to collect, then a sort per window. */
  private static void collect(VoxelPasses image, boolean skipZeros, Target[] targets) {
    Map<String, double[]> bounds = new LinkedHashMap<>();
    for (Target t : targets) {
      if (!t.done) {
        bounds.putIfAbsent(t.window(), new double[] {t.lo, t.hi});
      }
    }
    if (bounds.isEmpty()) {
      return;
    }
    double[][] b = bounds.values().toArray(new double[0][]);
    Collected c = image.run(new CollectPass(b, skipZeros));
    Map<String, double[]> windows = new LinkedHashMap<>();
    int i = 0;
    for (String key : bounds.keySet()) {
      double[] v = Arrays.copyOf(c.values[i], c.size[i]);
      Arrays.sort(v);
      windows.put(key, v);
      i++;
    }
    for (Target t : targets) {
      if (!t.done) {
        double[] v = windows.get(t.window());
        t.value = v[(int) Math.min(t.collectRank, v.length - 1)];
        t.done = true;
      }
    }
  }
}
