package io.github.neuroseg;

/**
 * A progress report of long work.
 *
 * @param stage what is being done, e.g. {@code "segment"}, {@code "trace"}, {@code "epoch 3"}
 * @param done units finished, {@code 0 <= done <= total}
 * @param total units in all; 0 when unknown
 */
public record Progress(String stage, long done, long total) {
  public Progress {
    if (done < 0 || total < 0 || (total > 0 && done > total)) {
      throw new InvalidInputException(
          "progress needs 0 <= done <= total, got done=" + done + " total=" + total);
    }
  }

  /** Fraction finished in [0, 1], or 0 when the total is unknown. */
  public double fraction() {
    return total == 0 ? 0.0 : (double) done / total;
  }

  @Override
  public String toString() {
    return total == 0
        ? stage + " " + done
        : String.format(java.util.Locale.ROOT, "%s %d/%d (%.0f%%)", stage, done, total,
            100.0 * fraction());
  }
}
