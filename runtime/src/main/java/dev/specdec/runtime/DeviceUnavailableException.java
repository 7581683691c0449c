package dev.specdec.runtime;

/**
 * The requested device cannot run models in this build or on this machine (e.g. CUDA asked of the
 * CPU-only ONNX Runtime, or CUDA libraries missing). Thrown by {@link Engine} when it opens a
 * session; the message says what was requested and how to get it.
 */
public final class DeviceUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The device problem described by {@code message}, caused by {@code cause} (may be null). */
  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
