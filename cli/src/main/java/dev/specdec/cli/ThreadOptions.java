package dev.specdec.cli;

import dev.specdec.runtime.EngineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * ONNX Runtime's thread pool: {@code --threads} and {@code --spin}, shared by every command that
 * loads models. Both fix the process-wide pool when the first model loads.
 */
final class ThreadOptions {
  /** The most threads {@code --threads} takes. */
  static final int MAX_THREADS = 256;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads of ONNX Runtime's intra-op pool, in [1, "
              + MAX_THREADS
              + "]. Default: every available processor.")
  Integer threads;

  @Option(
      names = "--spin",
      paramLabel = "on|off",
      description =
          "Whether idle pool threads spin-wait for the next piece of work instead of sleeping:"
              + " faster on an otherwise idle machine, slower when other processes compete for"
              + " the cores (docs/performance.md). Default: off.")
  Spin spin;

  /** The values of {@code --spin}. */
  enum Spin {
    ON,
    OFF
  }

  /**
   * The engine options the command line asks for, over {@link EngineOptions#defaults()}.
   *
   * @throws ParameterException when {@code --threads} is out of range
   */
  EngineOptions engineOptions(CommandLine cmd) {
    EngineOptions defaults = EngineOptions.defaults();
    if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
      throw new ParameterException(
          cmd, "--threads must be in [1, " + MAX_THREADS + "], was " + threads);
    }
    return new EngineOptions(
        threads != null ? threads : defaults.intraOpThreads(),
        spin != null ? spin == Spin.ON : defaults.allowSpinning());
  }
}
