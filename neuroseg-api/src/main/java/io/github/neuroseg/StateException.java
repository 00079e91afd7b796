package io.github.neuroseg;

/**
 * An object used in a state that does not allow the call: a segmenter (or another native
 * resource) used after {@code close()}, and the like. Not a problem of the input: the same call
 * on a live object would succeed.
 */
public final class StateException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public StateException(String message) {
    super(message);
  }
}
