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
  private static final class Histogram {
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
  }

  /**
   * The k-th smallest values (0-based) of the image's values (the non-zero ones when {@code
   * skipZeros}), which all lie in [min, max]. Each pass histograms the values in every open window
   * at once and narrows each target's window to the bin holding its rank, until that bin holds one
   * distinct value (always so for integer data of up to 16 bits) or few enough voxels to collect
   * and sort in one more pass.
   */
  private static double[] orderStatistics(RandomAccessibleInterval<? extends RealType<?>> image,
      boolean skipZeros, long[] ks, double min, double max) {
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
      Histogram[] hs = hists.values().toArray(new Histogram[0]);
      for (RealType<?> t : Views.iterable(image)) {
        double v = t.getRealDouble();
        if (skipZeros && v == 0) {
          continue;
        }
        for (Histogram h : hs) {
          h.add(v);
        }
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
  private static void collect(RandomAccessibleInterval<? extends RealType<?>> image,
      boolean skipZeros, Target[] targets) {
    Map<String, double[]> bounds = new LinkedHashMap<>();
    for (Target t : targets) {
      if (!t.done) {
        bounds.putIfAbsent(t.window(), new double[] {t.lo, t.hi});
      }
    }
    if (bounds.isEmpty()) {
      return;
    }
    // first count, then fill: the windows' sizes are not kept from the histogram pass
    double[][] b = bounds.values().toArray(new double[0][]);
    int[] size = new int[b.length];
    for (RealType<?> t : Views.iterable(image)) {
      double v = t.getRealDouble();
      if (skipZeros && v == 0) {
        continue;
      }
      for (int i = 0; i < b.length; i++) {
        if (v >= b[i][0] && v <= b[i][1]) {
          size[i]++;
        }
      }
    }
    double[][] values = new double[b.length][];
    for (int i = 0; i < b.length; i++) {
      values[i] = new double[size[i]];
    }
    int[] fill = new int[b.length];
    for (RealType<?> t : Views.iterable(image)) {
      double v = t.getRealDouble();
      if (skipZeros && v == 0) {
        continue;
      }
      for (int i = 0; i < b.length; i++) {
        if (v >= b[i][0] && v <= b[i][1]) {
          values[i][fill[i]++] = v;
        }
      }
    }
    Map<String, double[]> windows = new LinkedHashMap<>();
    int i = 0;
    for (String key : bounds.keySet()) {
      Arrays.sort(values[i]);
      windows.put(key, values[i]);
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
