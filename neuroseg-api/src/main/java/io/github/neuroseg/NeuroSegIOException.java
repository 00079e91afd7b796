package io.github.neuroseg;

/** Reading or writing a file failed at the operating-system level (missing file, disk full). */
public final class NeuroSegIOException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public NeuroSegIOException(String message, Throwable cause) {
    super(message, cause);
  }
}
