package io.github.neuroseg;

/**
 * Receives {@link Progress} reports. Called from worker threads; implementations must be
 * thread-safe and return quickly.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores every report. */
  ProgressListener NONE = p -> {};

  void onProgress(Progress progress);
}
