package io.github.neuroseg;

/** Training cannot start or continue: an empty data set, a diverged loss, a bad checkpoint. */
public final class TrainingException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public TrainingException(String message) {
    super(message);
  }

  public TrainingException(String message, Throwable cause) {
    super(message, cause);
  }
}
