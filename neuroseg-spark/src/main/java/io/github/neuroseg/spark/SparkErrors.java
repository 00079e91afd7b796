package io.github.neuroseg.spark;

import io.github.neuroseg.NeuroSegException;

/** Spark reports a task's exception wrapped in its own; callers get the task's own back. */
final class SparkErrors {
  private SparkErrors() {}

  /** The {@link NeuroSegException} a failed task threw, or {@code e} itself. */
  static RuntimeException unwrap(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NeuroSegException ne) {
        return ne;
      }
    }
    return e;
  }
}
