package io.github.neuroseg;

/**
 * Root of the one unchecked exception family that every neuroseg module throws.
 *
 * <p>The family is closed: catch the root to handle anything neuroseg reports, or one of the
 * permitted subclasses to react to a specific kind of failure. Messages say what was expected and
 * what was given, and name the file and line or offset where one is involved.
 */
public abstract sealed class NeuroSegException extends RuntimeException
    permits InvalidInputException,
        FormatException,
        ModelException,
        DeviceException,
        MissingImplementationException,
        NeuroSegIOException,
        TrainingException,
        StateException {

  private static final long serialVersionUID = 1L;

  protected NeuroSegException(String message) {
    super(message);
  }

  protected NeuroSegException(String message, Throwable cause) {
    super(message, cause);
  }
}
