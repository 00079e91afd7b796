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
 * data) gives the answer directly, a bin with few voxels is collected and searched, and any other
 * bin becomes the range of the next histogram pass. Memory is constant; time is a few passes
 * over the volume (two for integer data of up to 16 bits).
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
    Cursor<? extends RealType<?>> c = Views.flatIterable(image).cursor();
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
    double[] out = new double[percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      double rank = percentiles[i] / 100.0 * (n - 1);
      long k = (long) Math.floor(rank);
      double frac = rank - k;
      double a = orderStatistic(image, k, mm[0], mm[1]);
      double b = frac > 0 && k + 1 < n ? orderStatistic(image, k + 1, mm[0], mm[1]) : a;
      out[i] = a + frac * (b - a);
    }
    return out;
  }

  /**
   * The k-th smallest value (0-based) of the image, whose values all lie in [min, max]. Each pass
   * histograms the values in the current window [lo, hi] and narrows the window to the bin
   * holding rank k, until that bin holds one distinct value or few enough voxels to collect.
   */
  private static double orderStatistic(
      RandomAccessibleInterval<? extends RealType<?>> image, long k, double min, double max) {
    double lo = min;
    double hi = max;
    while (true) {
      if (lo == hi) {
        return lo;
      }
      long[] count = new long[BINS];
      double[] binMin = new double[BINS];
      double[] binMax = new double[BINS];
      Arrays.fill(binMin, Double.POSITIVE_INFINITY);
      Arrays.fill(binMax, Double.NEGATIVE_INFINITY);
      long under = 0;
      double width = (hi - lo) / BINS;
      Cursor<? extends RealType<?>> c = Views.flatIterable(image).cursor();
      while (c.hasNext()) {
        double v = c.next().getRealDouble();
        if (v < lo) {
          under++;
        } else if (v <= hi) {
          int b = bin(v, lo, width);
          count[b]++;
          if (v < binMin[b]) {
            binMin[b] = v;
          }
          if (v > binMax[b]) {
            binMax[b] = v;
          }
        }
      }
      long seen = under; // voxels below the window come before every bin
      int b = 0;
      while (seen + count[b] <= k) {
        seen += count[b];
        b++;
      }
      if (binMin[b] == binMax[b]) {
        return binMin[b];
      }
      if (count[b] <= COLLECT_LIMIT) {
        return collectAndSelect(image, binMin[b], binMax[b], (int) count[b], (int) (k - seen));
      }
      if (binMin[b] == lo && binMax[b] == hi) {
        // cannot narrow further (a window holding only two adjacent doubles); collect anyway
        return collectAndSelect(image, binMin[b], binMax[b], (int) Math.min(count[b],
            Integer.MAX_VALUE - 8), (int) (k - seen));
      }
      lo = binMin[b];
      hi = binMax[b];
    }
  }

  private static int bin(double v, double lo, double width) {
    int b = (int) ((v - lo) / width);
    return b < 0 ? 0 : Math.min(b, BINS - 1);
  }

  private static double collectAndSelect(
      RandomAccessibleInterval<? extends RealType<?>> image, double lo, double hi, int size,
      int k) {
    // Bin membership is recomputed from the same [lo, hi] window the bin's extremes span, so
    // exactly the bin's voxels (and only values within its extremes) are gathered.
    double[] values = new double[size];
    int i = 0;
    Cursor<? extends RealType<?>> c = Views.flatIterable(image).cursor();
    while (c.hasNext()) {
      double v = c.next().getRealDouble();
      if (v >= lo && v <= hi && i < size) {
        values[i++] = v;
      }
    }
    Arrays.sort(values, 0, i);
    return values[Math.min(k, i - 1)];
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
