package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * How voxel intensities are mapped before they reach a model: {@code (v - lo) / (hi - lo)}, where
 * {@code lo} and {@code hi} come from the volume (percentiles, min/max) or are fixed. There is no
 * clipping: values below {@code lo} become negative and values above {@code hi} exceed 1, exactly
 * as at training time.
 *
 * <p>The value is written into model metadata as a short text, {@link #spec()}, and read back with
 * {@link #parse(String)}:
 *
 * <ul>
 *   <li>{@code percentile:0.5,99.5} &mdash; {@code lo}, {@code hi} are the 0.5th and 99.5th
 *       percentiles of the volume;
 *   <li>{@code minmax} &mdash; the volume's minimum and maximum;
 *   <li>{@code fixed:0,4095} &mdash; the given values;
 *   <li>{@code none} &mdash; intensities pass unchanged ({@code lo = 0, hi = 1}).
 * </ul>
 *
 * <p><b>Percentiles</b> follow the usual linear-interpolation definition (NumPy's default): for
 * {@code n} voxels sorted ascending as {@code s[0..n-1]} and a percentile {@code q}, the rank is
 * {@code r = q / 100 * (n - 1)} and the value {@code s[floor(r)] + (r - floor(r)) * (s[floor(r) +
 * 1] - s[floor(r)])}. The order statistics are found exactly, for every pixel type, without
 * sorting or copying the volume: a histogram of 65536 bins over the value range locates the bin
 * holding the wanted rank; a bin holding one distinct value (always the case for 8- and 16-bit
 * data) gives the answer directly, a bin with few voxels is collected and sorted, and any other
 * bin becomes the range of the next histogram pass. All wanted ranks share each pass. Memory is
 * bounded (a few histograms and at most about a million collected values per rank); time is two
 * passes over the volume for integer data of up to 16 bits, a few more for floating-point data.
 *
 * <p>A degenerate range ({@code hi <= lo}, e.g. a constant volume) maps with scale 1: the result
 * is {@code v - lo}, so a constant volume becomes all zeros rather than NaN.
 *
 * <p>Instances are immutable values; equal specs give equal instances.
 *
 * @param method which rule computes {@code lo} and {@code hi}
 * @param low the lower percentile in [0, 100] for {@link Method#PERCENTILE}, the value {@code lo}
 *     for {@link Method#FIXED}, 0 otherwise
 * @param high the upper percentile for {@link Method#PERCENTILE}, the value {@code hi} for {@link
 *     Method#FIXED}, 0 otherwise
 */
public record Normalization(Method method, double low, double high) {

  /** The rule that gives {@code lo} and {@code hi}. */
  public enum Method {
    /** Percentiles of the volume's intensities. */
    PERCENTILE,
    /** The volume's minimum and maximum. */
    MINMAX,
    /** Intensities unchanged. */
    NONE,
    /** Fixed values. */
    FIXED
  }

  /** Bins per histogram pass when looking for an order statistic. */
  private static final int BINS = 1 << 16;
  /** A bin with at most this many voxels is collected and searched directly. */
  private static final int COLLECT_LIMIT = 1 << 20;

  /**
   * Checks the parameters.
   *
   * @throws InvalidInputException for percentiles outside [0, 100] or not increasing, fixed values
   *     that are not finite or not increasing, or parameters on {@code minmax} / {@code none}
   */
  public Normalization {
    switch (method) {
      case PERCENTILE -> {
        if (!(low >= 0 && low < high && high <= 100)) {
          throw new InvalidInputException(
              "percentile normalization needs 0 <= low < high <= 100, got " + low + ", " + high);
        }
      }
      case FIXED -> {
        if (!Double.isFinite(low) || !Double.isFinite(high) || !(low < high)) {
          throw new InvalidInputException(
              "fixed normalization needs finite values low < high, got " + low + ", " + high);
        }
      }
      default -> {
        if (low != 0 || high != 0) {
          throw new InvalidInputException(
              method.name().toLowerCase(Locale.ROOT) + " normalization takes no values, got "
                  + low + ", " + high);
        }
      }
    }
  }

  /** The {@code lo}..{@code hi} range between percentiles {@code low} and {@code high}. */
  public static Normalization percentile(double low, double high) {
    return new Normalization(Method.PERCENTILE, low, high);
  }

  /** The volume's minimum and maximum. */
  public static Normalization minMax() {
    return new Normalization(Method.MINMAX, 0, 0);
  }

  /** No change. */
  public static Normalization none() {
    return new Normalization(Method.NONE, 0, 0);
  }

  /** A fixed range, e.g. {@code fixed(0, 4095)} for 12-bit data. */
  public static Normalization fixed(double lo, double hi) {
    return new Normalization(Method.FIXED, lo, hi);
  }

  /**
   * Parses a spec such as {@code "percentile:0.5,99.5"}, {@code "minmax"}, {@code "none"} or
   * {@code "fixed:0,4095"} (case and spaces ignored).
   *
   * @throws InvalidInputException naming the spec when it cannot be parsed
   */
  public static Normalization parse(String spec) {
    String s = spec.strip().toLowerCase(Locale.ROOT).replace(" ", "");
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String args = colon < 0 ? null : s.substring(colon + 1);
    switch (name) {
      case "minmax", "none" -> {
        if (args != null) {
          throw new InvalidInputException(
              "normalization '" + name + "' takes no values, got '" + spec + "'");
        }
        return name.equals("none") ? none() : minMax();
      }
      case "percentile", "fixed" -> {
        double[] v = twoNumbers(spec, args);
        return name.equals("fixed") ? fixed(v[0], v[1]) : percentile(v[0], v[1]);
      }
      default -> throw new InvalidInputException(
          "normalization must be 'percentile:<lo>,<hi>', 'minmax', 'fixed:<lo>,<hi>' or 'none', "
              + "got '" + spec + "'");
    }
  }

  private static double[] twoNumbers(String spec, String args) {
    String[] parts = args == null ? new String[0] : args.split(",", -1);
    if (parts.length != 2) {
      throw new InvalidInputException(
          "normalization '" + spec + "' needs two comma-separated numbers, e.g. "
              + "'percentile:0.5,99.5'");
    }
    try {
      return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "normalization '" + spec + "' has a value that is not a number", e);
    }
  }

  /** The metadata text of this normalisation; {@link #parse(String)} reads it back exactly. */
  public String spec() {
    return switch (method) {
      case PERCENTILE -> "percentile:" + number(low) + "," + number(high);
      case FIXED -> "fixed:" + number(low) + "," + number(high);
      case MINMAX -> "minmax";
      case NONE -> "none";
    };
  }

  private static String number(double d) {
    // shortest text that parses back to the same double, without exponent or trailing ".0"
    String t = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    return t.equals("-0") ? "0" : t;
  }

  /** Same as {@link #spec()}. */
  @Override
  public String toString() {
    return spec();
  }

  /**
   * The {@code lo}, {@code hi} of this normalisation for an image. Reads the image (one to a few
   * passes) for {@link Method#PERCENTILE} and {@link Method#MINMAX}; does not read it otherwise.
   *
   * @throws InvalidInputException for an empty image, or a NaN or infinite voxel (with its
   *     position) when the image is read
   */
  public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
    return switch (method) {
      case NONE -> new Range(0, 1);
      case FIXED -> new Range(low, high);
      case MINMAX -> {
        double[] mm = minMax(image);
        yield new Range(mm[0], mm[1]);
      }
      case PERCENTILE -> {
        double[] p = percentiles(image, low, high);
        yield new Range(p[0], p[1]);
      }
    };
  }

  /**
   * A lazy float view of {@code image} normalised with {@link #range} (computed now, applied on
   * access).
   */
  public RandomAccessibleInterval<FloatType> apply(
      RandomAccessibleInterval<? extends RealType<?>> image) {
    return range(image).apply(image);
  }

  /**
   * A resolved intensity range.
   *
   * @param lo the value that maps to 0
   * @param hi the value that maps to 1; when {@code hi <= lo} the scale is 1 instead
   */
  public record Range(double lo, double hi) {

    /**
     * Checks the values.
     *
     * @throws InvalidInputException for non-finite values
     */
    public Range {
      if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
        throw new InvalidInputException("range must be finite, got " + lo + ", " + hi);
      }
    }

    /** The factor {@code 1 / (hi - lo)}, or 1 when {@code hi <= lo}. */
    public double scale() {
      return hi > lo ? 1.0 / (hi - lo) : 1.0;
    }

    /** {@code (v - lo) * scale()}. */
    public double apply(double v) {
      return (v - lo) * scale();
    }

    /** A lazy float view of {@code image} with this range applied. */
    public RandomAccessibleInterval<FloatType> apply(
        RandomAccessibleInterval<? extends RealType<?>> image) {
      double lo = this.lo;
      double s = scale();
      return Converters.convert(
          image, (in, out) -> out.setReal((in.getRealDouble() - lo) * s), new FloatType());
    }
  }

  // ---------------------------------------------------------------- exact order statistics

  /**
   * The minimum and maximum of an image.
   *
   * @throws InvalidInputException for an empty image or a NaN or infinite voxel
   */
  public static double[] minMax(RandomAccessibleInterval<? extends RealType<?>> image) {
    requireNonEmpty(image);
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    Cursor<? extends RealType<?>> c = Views.iterable(image).cursor();
    while (c.hasNext()) {
      double v = c.next().getRealDouble();
      if (!Double.isFinite(v)) {
        throw nonFinite(c, v);
      }
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
    }
    return new double[] {min, max};
  }

  /**
   * Exact percentiles of an image's voxel values (linear interpolation between order statistics,
   * see the class description).
   *
   * @param percentiles each in [0, 100]
   * @return one value per percentile, in the given order
   * @throws InvalidInputException for an empty image, a NaN or infinite voxel or a percentile
   *     outside [0, 100]
   */
  public static double[] percentiles(
      RandomAccessibleInterval<? extends RealType<?>> image, double... percentiles) {
    for (double q : percentiles) {
      if (!(q >= 0 && q <= 100)) {
        throw new InvalidInputException("percentile must be in [0, 100], got " + q);
      }
    }
    double[] mm = minMax(image);
    long n = Intervals.numElements(image);
    long[] ks = new long[2 * percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double rank = percentiles[i] / 100.0 * (n - 1);
      ks[2 * i] = (long) Math.floor(rank);
      ks[2 * i + 1] = Math.min(ks[2 * i] + 1, n - 1);
    }
    double[] v = orderStatistics(image, ks, mm[0], mm[1]);
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
   * The k-th smallest values (0-based) of the image, whose values all lie in [min, max]. Each
   * pass histograms the values in every open window at once and narrows each target's window to
   * the bin holding its rank, until that bin holds one distinct value (always so for integer data
   * of up to 16 bits: two passes in all, min/max included) or few enough voxels to collect and
   * sort in one more pass.
   */
  private static double[] orderStatistics(
      RandomAccessibleInterval<? extends RealType<?>> image, long[] ks, double min, double max) {
    Target[] targets = new Target[ks.length];
    for (int i = 0; i < ks.length; i++) {
      targets[i] = new Target(ks[i], min, max);
    }
    while (true) {
      java.util.Map<String, Histogram> hists = new java.util.LinkedHashMap<>();
      for (Target t : targets) {
        if (!t.done && t.collectRank < 0) {
          hists.computeIfAbsent(t.lo + ":" + t.hi, key -> new Histogram(t.lo, t.hi));
        }
      }
      if (hists.isEmpty()) {
        break;
      }
      Histogram[] hs = hists.values().toArray(new Histogram[0]);
      for (RealType<?> t : Views.iterable(image)) {
        double v = t.getRealDouble();
        for (Histogram h : hs) {
          h.add(v);
        }
      }
      for (Target t : targets) {
        if (t.done || t.collectRank >= 0) {
          continue;
        }
        Histogram h = hists.get(t.lo + ":" + t.hi);
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
    collect(image, targets);
    double[] out = new double[ks.length];
    for (int i = 0; i < ks.length; i++) {
      out[i] = targets[i].value;
    }
    return out;
  }

  /** One pass gathering the values of every window still to collect, then a sort per window. */
  private static void collect(RandomAccessibleInterval<? extends RealType<?>> image,
      Target[] targets) {
    java.util.Map<String, double[]> windows = new java.util.LinkedHashMap<>();
    java.util.Map<String, double[]> bounds = new java.util.LinkedHashMap<>();
    for (Target t : targets) {
      if (!t.done) {
        bounds.putIfAbsent(t.lo + ":" + t.hi, new double[] {t.lo, t.hi});
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
      for (int i = 0; i < b.length; i++) {
        if (v >= b[i][0] && v <= b[i][1]) {
          values[i][fill[i]++] = v;
        }
      }
    }
    int i = 0;
    for (String key : bounds.keySet()) {
      Arrays.sort(values[i]);
      windows.put(key, values[i]);
      i++;
    }
    for (Target t : targets) {
      if (!t.done) {
        double[] v = windows.get(t.lo + ":" + t.hi);
        t.value = v[(int) Math.min(t.collectRank, v.length - 1)];
        t.done = true;
      }
    }
  }

  private static void requireNonEmpty(RandomAccessibleInterval<?> image) {
    if (Intervals.numElements(image) == 0) {
      throw new InvalidInputException(
          "cannot normalise an empty image of size "
              + Arrays.toString(image.dimensionsAsLongArray()));
    }
  }

  private static InvalidInputException nonFinite(Cursor<?> c, double v) {
    return new InvalidInputException(
        "voxel at " + Arrays.toString(c.positionAsLongArray()) + " is " + v
            + "; intensities must be finite numbers");
  }
}
