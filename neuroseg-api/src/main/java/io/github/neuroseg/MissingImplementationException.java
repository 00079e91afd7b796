package io.github.neuroseg;

/**
 * No implementation of a neuroseg service is on the class path. The message names the Maven
 * artifact to add.
 */
public final class MissingImplementationException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public MissingImplementationException(String message) {
    super(message);
  }
}
