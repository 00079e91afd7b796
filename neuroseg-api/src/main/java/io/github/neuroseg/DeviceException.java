package io.github.neuroseg;

/** A requested compute device cannot be used (for example CUDA missing in strict mode). */
public final class DeviceException extends NeuroSegException {
  private static final long serialVersionUID = 1L;

  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
