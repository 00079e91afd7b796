package io.github.neuroseg.train;

import java.util.Arrays;

/**
 * Intensity normalisation recorded in models as {@code percentile:0.5,99.5}: values are mapped
 * linearly so that the 0.5th percentile of the volume becomes 0 and the 99.5th becomes 1 (no
 * clipping). Percentiles use linear interpolation between order statistics.
 */
final class PercentileScaling {
  static final String SPEC = "percentile:0.5,99.5";

  private PercentileScaling() {}

  /** Scales {@code v} in place. */
  static void apply(float[] v) {
    float[] s = v.clone();
    Arrays.sort(s);
    double lo = percentile(s, 0.5);
    double hi = percentile(s, 99.5);
    double scale = hi > lo ? 1.0 / (hi - lo) : 1.0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((v[i] - lo) * scale);
    }
  }

  static double percentile(float[] sorted, double pct) {
    double h = pct / 100 * (sorted.length - 1);
    int f = (int) Math.floor(h);
    int c = Math.min(sorted.length - 1, f + 1);
    return sorted[f] + (h - f) * (sorted[c] - sorted[f]);
  }
}
