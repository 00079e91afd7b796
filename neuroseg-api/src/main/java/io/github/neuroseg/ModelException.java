package io.github.neuroseg;

/**
 * A model that does not meet the neuroseg model contract: not an ONNX file, wrong input rank or
 * names, missing metadata, a requested tile larger than the model accepts.
 */
public final class ModelException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
