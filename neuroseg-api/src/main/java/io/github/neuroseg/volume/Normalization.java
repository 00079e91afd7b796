package io.github.neuroseg.volume;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.internal.Quote;
import java.math.BigDecimal;
import java.util.Locale;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * How voxel intensities are mapped before they reach a model: {@code (v - lo) / (hi - lo)}, where
 * {@code lo} and {@code hi} come from the volume (percentiles, min/max) or are fixed. There is no
 * clipping: values below {@code lo} become negative and values above {@code hi} exceed 1, exactly
 * as at training time.
 *
 * <p>A normalisation is one of four immutable values, written into model metadata as a short
 * text, {@link #spec()}, and read back with {@link #parse(String)}:
 *
 * <ul>
 *   <li>{@link Percentile} {@code percentile:0.5,99.5} &mdash; {@code lo}, {@code hi} are the
 *       0.5th and 99.5th percentiles of the volume (with the fallback below);
 *   <li>{@link MinMax} {@code minmax} &mdash; the volume's minimum and maximum;
 *   <li>{@link Fixed} {@code fixed:0,4095} &mdash; the given values;
 *   <li>{@link None} {@code none} &mdash; intensities pass unchanged ({@code lo = 0, hi = 1}).
 * </ul>
 *
 * <p><b>Percentiles</b> follow the usual linear-interpolation definition (NumPy's default): for
 * {@code n} voxels sorted ascending as {@code s[0..n-1]} and a percentile {@code q}, the rank is
 * {@code r = q / 100 * (n - 1)} and the value {@code s[floor(r)] + (r - floor(r)) * (s[floor(r) +
 * 1] - s[floor(r)])}. They are exact for every pixel type and found without sorting or copying
 * the volume (histogram passes that narrow down each wanted rank; two passes for integer data of
 * up to 16 bits, a few more for floating-point data; memory bounded).
 *
 * <p><b>When the percentiles collapse.</b> A background-subtracted stack can be almost all exact
 * zeros, so that both percentiles are 0 and {@code (v - lo) / (hi - lo)} has no scale. The range
 * {@code [lo, hi]} is taken as collapsed when {@code hi - lo <= 1e-6 * max(|lo|, |hi|)} (this
 * includes {@code hi == lo}: a width within float rounding of the values themselves). Then, in
 * this order:
 *
 * <ol>
 *   <li>the same percentiles are computed over the <em>non-zero</em> voxels only;
 *   <li>if these collapse too (or there are none), the volume's minimum and maximum are used;
 *   <li>if the volume is constant ({@code min == max}) the range is {@link Range#isConstant()
 *       constant}: every voxel maps to 0, and a segmenter returns zero probabilities (an empty
 *       mask) for it without running the model.
 * </ol>
 *
 * <p>Each {@link #range} call that falls back logs <b>one</b> SLF4J warning naming the rule used
 * and the values. The rule only compares values with each other and with zero, so it commutes
 * with any rescaling {@code v -> c * v} ({@code c > 0}): the same content stored as 8-bit, as
 * 16-bit ({@code x 257}) or as float ({@code / 255}) gives ranges that map every voxel to the same
 * normalised value, up to float rounding. {@link MinMax} on a constant volume gives the same
 * constant range and warning; {@link Fixed} and {@link None} never read the volume and never fall
 * back.
 *
 * <p>Equal specs give equal values.
 */
public sealed interface Normalization
    permits Normalization.Percentile, Normalization.MinMax, Normalization.Fixed,
        Normalization.None {

  /**
   * {@code lo} and {@code hi} are the {@code low}-th and {@code high}-th percentiles of the
   * volume, with the fallback of the {@linkplain Normalization class description} when they
   * collapse.
   *
   * @param low the lower percentile, in [0, 100)
   * @param high the upper percentile, in (low, 100]
   */
  record Percentile(double low, double high) implements Normalization {
    /**
     * Checks the percentiles.
     *
     * @throws InvalidInputException unless {@code 0 <= low < high <= 100}
     */
    public Percentile {
      if (!(low >= 0 && low < high && high <= 100)) {
        throw new InvalidInputException(
            "percentile normalization needs 0 <= low < high <= 100, got " + low + ", " + high);
      }
      low += 0.0; // -0.0 becomes 0.0, so that equal specs give equal values
    }

    @Override
    public String spec() {
      return "percentile:" + number(low) + "," + number(high);
    }

    @Override
    public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
      return Ranges.percentile(this, image);
    }

    @Override
    public Range range(VoxelPasses voxels) {
      return Ranges.percentile(this, voxels);
    }

    /** Same as {@link #spec()}. */
    @Override
    public String toString() {
      return spec();
    }
  }

  /** {@code lo} and {@code hi} are the volume's minimum and maximum. */
  record MinMax() implements Normalization {
    @Override
    public String spec() {
      return "minmax";
    }

    @Override
    public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
      return Ranges.minMax(this, image);
    }

    @Override
    public Range range(VoxelPasses voxels) {
      return Ranges.minMax(this, voxels);
    }

    /** Same as {@link #spec()}. */
    @Override
    public String toString() {
      return spec();
    }
  }

  /**
   * Fixed {@code lo} and {@code hi}, e.g. {@code 0, 4095} for 12-bit data.
   *
   * @param lo the value that maps to 0
   * @param hi the value that maps to 1, {@code > lo}
   */
  record Fixed(double lo, double hi) implements Normalization {
    /**
     * Checks the values.
     *
     * @throws InvalidInputException for values that are not finite, not increasing, or so close
     *     or so far apart that {@code 1 / (hi - lo)} is not a positive finite number
     */
    public Fixed {
      if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi) || !Range.scalable(lo, hi)) {
        throw new InvalidInputException(
            "fixed normalization needs finite values low < high, got " + lo + ", " + hi);
      }
      lo += 0.0;
      hi += 0.0;
    }

    @Override
    public String spec() {
      return "fixed:" + number(lo) + "," + number(hi);
    }

    @Override
    public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
      return new Range(lo, hi);
    }

    @Override
    public Range range(VoxelPasses voxels) {
      return new Range(lo, hi);
    }

    /** Same as {@link #spec()}. */
    @Override
    public String toString() {
      return spec();
    }
  }

  /** Intensities pass unchanged: {@code lo = 0, hi = 1}. */
  record None() implements Normalization {
    @Override
    public String spec() {
      return "none";
    }

    @Override
    public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
      return new Range(0, 1);
    }

    @Override
    public Range range(VoxelPasses voxels) {
      return new Range(0, 1);
    }

    /** Same as {@link #spec()}. */
    @Override
    public String toString() {
      return spec();
    }
  }

  /**
   * The {@code lo}..{@code hi} range between percentiles {@code low} and {@code high}.
   *
   * @throws InvalidInputException unless {@code 0 <= low < high <= 100}
   */
  static Normalization percentile(double low, double high) {
    return new Percentile(low, high);
  }

  /** The volume's minimum and maximum. */
  static Normalization minMax() {
    return new MinMax();
  }

  /** No change. */
  static Normalization none() {
    return new None();
  }

  /**
   * A fixed range, e.g. {@code fixed(0, 4095)} for 12-bit data.
   *
   * @throws InvalidInputException for values that are not finite or not increasing
   */
  static Normalization fixed(double lo, double hi) {
    return new Fixed(lo, hi);
  }

  /**
   * Parses a spec such as {@code "percentile:0.5,99.5"}, {@code "minmax"}, {@code "none"} or
   * {@code "fixed:0,4095"} (case and spaces ignored).
   *
   * @throws InvalidInputException naming the spec when it cannot be parsed
   */
  static Normalization parse(String spec) {
    String s = spec.strip().toLowerCase(Locale.ROOT).replace(" ", "");
    int colon = s.indexOf(':');
    String name = colon < 0 ? s : s.substring(0, colon);
    String args = colon < 0 ? null : s.substring(colon + 1);
    switch (name) {
      case "minmax", "none" -> {
        if (args != null) {
          throw new InvalidInputException(
              "normalization '" + name + "' takes no values, got " + Quote.quote(spec));
        }
        return name.equals("none") ? none() : minMax();
      }
      case "percentile", "fixed" -> {
        double[] v = twoNumbers(spec, args);
        return name.equals("fixed") ? fixed(v[0], v[1]) : percentile(v[0], v[1]);
      }
      default -> throw new InvalidInputException(
          "normalization must be 'percentile:<lo>,<hi>', 'minmax', 'fixed:<lo>,<hi>' or 'none', "
              + "got " + Quote.quote(spec));
    }
  }

  /** The metadata text of this normalisation; {@link #parse(String)} reads it back exactly. */
  String spec();

  /**
   * The {@code lo}, {@code hi} of this normalisation for an image. Reads the image (one to a few
   * passes) for {@link Percentile} and {@link MinMax}, and logs one warning when it falls back
   * (see the class description); does not read it otherwise.
   *
   * @throws InvalidInputException for an empty image, or a NaN or infinite voxel (with its
   *     position) when the image is read
   */
  Range range(RandomAccessibleInterval<? extends RealType<?>> image);

  /**
   * The same range as {@link #range(RandomAccessibleInterval)} for a volume whose voxels are
   * visited in passes, possibly in parts by many threads or processes (see {@link VoxelPasses}):
   * a summary pass and the histogram passes each run over all parts and merge their results, so
   * a volume too large for one machine gets the range its whole image would. {@link Fixed} and
   * {@link None} run no pass.
   *
   * @throws InvalidInputException for an empty volume or non-finite voxels
   */
  Range range(VoxelPasses voxels);

  /**
   * A lazy float view of {@code image} normalised with {@link #range} (computed now, applied on
   * access).
   *
   * @throws InvalidInputException as {@link #range}
   */
  default RandomAccessibleInterval<FloatType> apply(
      RandomAccessibleInterval<? extends RealType<?>> image) {
    return range(image).apply(image);
  }

  /**
   * A resolved intensity range: {@code v -> (v - lo) * scale()}.
   *
   * @param lo the value that maps to 0
   * @param hi the value that maps to 1; equal to {@code lo} for a {@linkplain #isConstant()
   *     constant} range, which maps every value to 0
   */
  record Range(double lo, double hi) {

    /**
     * Checks the values.
     *
     * @throws InvalidInputException for non-finite values, {@code hi < lo}, or values so close or
     *     so far apart that {@code 1 / (hi - lo)} is not a positive finite number
     */
    public Range {
      if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo <= hi)
          || (hi > lo && !scalable(lo, hi))) {
        throw new InvalidInputException(
            "range must be finite with lo <= hi and 1 / (hi - lo) finite, got " + lo + ", " + hi);
      }
      lo += 0.0;
      hi += 0.0;
    }

    /** Whether {@code 1 / (hi - lo)} is a positive finite number. */
    static boolean scalable(double lo, double hi) {
      double width = hi - lo;
      return width > 0 && Double.isFinite(width) && Double.isFinite(1.0 / width);
    }

    /**
     * Whether {@code lo == hi}: the range of a volume without contrast (a constant volume), under
     * which every value maps to 0.
     */
    public boolean isConstant() {
      return hi == lo;
    }

    /** The factor {@code 1 / (hi - lo)}, or 0 for a {@linkplain #isConstant() constant} range. */
    public double scale() {
      return hi > lo ? 1.0 / (hi - lo) : 0.0;
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

  private static double[] twoNumbers(String spec, String args) {
    String[] parts = args == null ? new String[0] : args.split(",", -1);
    if (parts.length != 2) {
      throw new InvalidInputException(
          "normalization " + Quote.quote(spec) + " needs two comma-separated numbers, e.g. "
              + "'percentile:0.5,99.5'");
    }
    try {
      return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "normalization " + Quote.quote(spec) + " has a value that is not a number", e);
    }
  }

  /** The shortest text that parses back to the same double, without exponent or ".0". */
  private static String number(double d) {
    String t = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    return t.equals("-0") ? "0" : t;
  }
}
