package dev.specdec.runtime;

/**
 * How an {@link Engine} sets up ONNX Runtime's global thread pool.
 *
 * @param intraOpThreads threads of the global intra-op pool; 0 uses every available processor
 * @param allowSpinning whether idle pool threads spin waiting for work; spinning shortens the gaps
 *     between a pass's kernels but burns the cores meanwhile: measured 5-12 % faster decoding on an
 *     idle 2-core machine and 15-50 % slower with one competing process per core, so it is off by
 *     default (docs/performance.md)
 */
public record EngineOptions(int intraOpThreads, boolean allowSpinning) {

  /** Validates the thread count. */
  public EngineOptions {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intraOpThreads must be >= 0 (0 = all available processors), was " + intraOpThreads);
    }
  }

  /** All available processors, no spinning. */
  public static EngineOptions defaults() {
    return new EngineOptions(0, false);
  }

  /** These options with {@code intraOpThreads} 0 replaced by the available processor count. */
  EngineOptions resolved() {
    return intraOpThreads != 0
        ? this
        : new EngineOptions(Runtime.getRuntime().availableProcessors(), allowSpinning);
  }

  /**
   * What a pass's cost depends on besides the model file, as the pass-cost cache keys it: the
   * device, the resolved intra-op thread count and spinning.
   */
  public String costSetting(Device device) {
    return device + "|threads=" + resolved().intraOpThreads() + "|spin=" + allowSpinning;
  }
}
