package io.github.neuroseg.volume;

import io.github.neuroseg.volume.Normalization.MinMax;
import io.github.neuroseg.volume.Normalization.Percentile;
import io.github.neuroseg.volume.Normalization.Range;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data-dependent {@link Range}s of {@link Percentile} and {@link MinMax}, with the fallback
 * described on {@link Normalization} when a range collapses, and its one warning per call.
 */
final class Ranges {
  private static final Logger LOG = LoggerFactory.getLogger(Normalization.class);

  /**
   * Percentile ranges no wider than this fraction of their ends' magnitude are collapsed: their
   * width is float rounding of the values themselves, not contrast. Relative, so that rescaled
   * data (8-bit, 16-bit, float) is judged alike.
   */
  static final double COLLAPSE = 1e-6;

  private Ranges() {}

  /** Whether the percentile range [lo, hi] has a usable width. */
  static boolean spans(double lo, double hi) {
    return Range.scalable(lo, hi) && hi - lo > COLLAPSE * Math.max(Math.abs(lo), Math.abs(hi));
  }

  /** The percentiles {@code p} asks for, of all voxels or of the non-zero ones. */
  private interface Percentiles {
    double[] of(boolean nonZeroOnly);
  }

  static Range percentile(Percentile p, RandomAccessibleInterval<? extends RealType<?>> image) {
    // one source: the summary, and for 8/16-bit or integer-valued data the exact histogram
    // every percentile comes from, are computed once
    OrderStatistics.Source src = OrderStatistics.source(image);
    OrderStatistics.Summary s = src.summary();
    return percentile(p, s, nz -> src.percentiles(s, nz, p.low(), p.high()));
  }

  static Range percentile(Percentile p, VoxelPasses voxels) {
    OrderStatistics.Summary s = OrderStatistics.summary(voxels);
    return percentile(p, s, nz -> OrderStatistics.percentiles(voxels, s, nz, p.low(), p.high()));
  }

  private static Range percentile(Percentile p, OrderStatistics.Summary s, Percentiles of) {
    double[] all = of.of(false);
    if (spans(all[0], all[1])) {
      return new Range(all[0], all[1]);
    }
    String why = p.spec() + " normalisation collapsed on a volume of " + s.count() + " voxels ("
        + s.nonZero() + " non-zero): its percentiles " + pair(p.low(), p.high()) + " are "
        + values(all);
    // with no zeros the non-zero percentiles are the same ones; with only zeros there are none
    if (s.nonZero() > 0 && s.nonZero() < s.count()) {
      double[] nz = of.of(true);
      if (spans(nz[0], nz[1])) {
        LOG.warn("{}; using the same percentiles of the non-zero voxels instead: lo = {}, hi = {}",
            why, nz[0], nz[1]);
        return new Range(nz[0], nz[1]);
      }
      why += ", and over the non-zero voxels " + values(nz);
    }
    if (Range.scalable(s.min(), s.max())) {
      LOG.warn("{}; using the volume's minimum and maximum instead: lo = {}, hi = {}", why,
          s.min(), s.max());
      return new Range(s.min(), s.max());
    }
    LOG.warn("{}; {}", why, constant(s));
    return new Range(s.min(), s.min());
  }

  static Range minMax(MinMax m, RandomAccessibleInterval<? extends RealType<?>> image) {
    return minMax(m, OrderStatistics.summary(image));
  }

  static Range minMax(MinMax m, VoxelPasses voxels) {
    return minMax(m, OrderStatistics.summary(voxels));
  }

  private static Range minMax(MinMax m, OrderStatistics.Summary s) {
    if (Range.scalable(s.min(), s.max())) {
      return new Range(s.min(), s.max());
    }
    LOG.warn("{} normalisation on a volume of {} voxels: {}", m.spec(), s.count(), constant(s));
    return new Range(s.min(), s.min());
  }

  private static String constant(OrderStatistics.Summary s) {
    String what = s.min() == s.max() ? "the volume is constant (every voxel is " + s.min() + ")"
        : "the volume spans only [" + s.min() + ", " + s.max() + "], too narrow to scale";
    return what + ": it normalises to all zeros, and a segmenter returns an empty mask for it";
  }

  private static String pair(double a, double b) {
    return fmt(a) + " and " + fmt(b);
  }

  private static String values(double[] v) {
    return v[0] == v[1] ? "both " + v[0] : v[0] + " and " + v[1];
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
