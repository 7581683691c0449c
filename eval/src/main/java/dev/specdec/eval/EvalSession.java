package dev.specdec.eval;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StepListener;
import java.io.IOException;

/**
 * One configuration loaded for {@link AcceptanceEval}: the seam between the harness and the models,
 * so that tests can drive the harness with scripted models. Closing releases what it loaded.
 */
interface EvalSession extends AutoCloseable {

  /** The prompt's token ids as decoded: BOS, then the text's tokens. */
  int[] promptTokens(String prompt);

  /** The most tokens (prompt and new ones) the target holds. */
  int capacity();

  /**
   * One silent run of {@code promptTokens} with {@code seed}: speculative, or with {@code plain}
   * the target alone with the same sampling; {@code onStep} hears every step.
   */
  DecodeResult generate(int[] promptTokens, long seed, boolean plain, StepListener onStep);

  @Override
  void close();

  /** Opens a configuration. */
  @FunctionalInterface
  interface Opener {
    /** Loads what {@code config} needs. */
    EvalSession open(BenchConfig config)
        throws BundleException, IOException, ModelContractException, DeviceUnavailableException;
  }

  /** A {@link BundleDecoder} as a session; closing it closes the decoder. */
  static EvalSession of(BundleDecoder decoder) {
    return new EvalSession() {
      @Override
      public int[] promptTokens(String prompt) {
        return decoder.promptTokens(prompt);
      }

      @Override
      public int capacity() {
        return decoder.capacity();
      }

      @Override
      public DecodeResult generate(
          int[] promptTokens, long seed, boolean plain, StepListener onStep) {
        return decoder.generate(promptTokens, seed, plain, onStep);
      }

      @Override
      public void close() {
        decoder.close();
      }
    };
  }
}
