package io.github.neuroseg;

/**
 * An argument or in-memory input that cannot be processed: an empty or non-3D volume, NaN voxels,
 * a tile size that does not fit, an invalid neuron tree built in code, and the like.
 */
public final class InvalidInputException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
