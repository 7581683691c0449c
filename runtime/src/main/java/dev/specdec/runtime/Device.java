package dev.specdec.runtime;

/** Where a model runs: the CPU, or a CUDA GPU through ONNX Runtime's CUDA execution provider. */
public sealed interface Device {

  /** The CPU execution provider (always available). */
  record Cpu() implements Device {
    @Override
    public String toString() {
      return "cpu";
    }
  }

  /**
   * A CUDA device.
   *
   * @param deviceId the CUDA device ordinal, {@code >= 0}
   */
  record Cuda(int deviceId) implements Device {
    /** Validates the ordinal. */
    public Cuda {
      if (deviceId < 0) {
        throw new IllegalArgumentException("CUDA device id must be >= 0, was " + deviceId);
      }
    }

    @Override
    public String toString() {
      return "cuda:" + deviceId;
    }
  }

  /** The CPU. */
  static Device cpu() {
    return new Cpu();
  }

  /**
   * Parses {@code cpu}, {@code cuda} or {@code cuda:N}.
   *
   * @throws IllegalArgumentException for anything else, naming the valid forms
   */
  static Device parse(String text) {
    String s = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("cpu")) {
      return new Cpu();
    }
    if (s.equals("cuda")) {
      return new Cuda(0);
    }
    if (s.startsWith("cuda:")) {
      try {
        return new Cuda(Integer.parseInt(s.substring(5)));
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw new IllegalArgumentException(
        "unknown device '" + text + "': expected one of cpu, cuda, cuda:N (N >= 0)");
  }
}
