package dev.specdec.cli;

import dev.specdec.eval.DecodeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Temperature, top-k, top-p and seed: shared by the commands that generate. An option left out
 * keeps the bundle's recommended value.
 */
final class SamplingOptions {
  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "Softmax temperature, >= 0; 0 = greedy. Default: the bundle's.")
  Double temperature;

  @Option(
      names = "--top-k",
      paramLabel = "K",
      description = "Keep the K most likely tokens, >= 0; 0 = off. Default: the bundle's.")
  Integer topK;

  @Option(
      names = "--top-p",
      paramLabel = "P",
      description = "Nucleus sampling mass in (0, 1]; 1 = off. Default: the bundle's.")
  Double topP;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Random seed of the sampler and the draft model. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--acceptance",
      paramLabel = "RULE",
      description =
          "Acceptance rule: greedy, rejection (exact at any temperature), typical or"
              + " typical:EPS,DELTA (Medusa's; faster, not distribution-preserving; defaults"
              + " 0.09,0.3). Default: greedy at temperature 0, rejection otherwise.")
  String acceptance;

  /** Rejects out-of-range values before any model is loaded. */
  void validate(CommandLine cmd) {
    if (acceptance != null) {
      try {
        DecodeOptions.parseAcceptance(acceptance);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cmd, "--acceptance: " + e.getMessage());
      }
      if (acceptance.strip().equals("greedy") && temperature != null && temperature > 0) {
        throw new ParameterException(
            cmd,
            "greedy acceptance needs temperature 0, was temperature "
                + temperature
                + ": use rejection (exact) or typical");
      }
    }
    if (temperature != null && !(temperature >= 0 && Double.isFinite(temperature))) {
      throw new ParameterException(
          cmd, "--temperature must be a finite number >= 0 (0 = greedy), was " + temperature);
    }
    if (topK != null && topK < 0) {
      throw new ParameterException(cmd, "--top-k must be >= 0 (0 = off), was " + topK);
    }
    if (topP != null && !(topP > 0 && topP <= 1)) {
      throw new ParameterException(cmd, "--top-p must be in (0, 1] (1 = off), was " + topP);
    }
  }

  /** Overrides the builder's values with those given on the command line. */
  void applyTo(DecodeOptions.Builder options) {
    if (temperature != null) {
      options.temperature(temperature);
    }
    if (topK != null) {
      options.topK(topK);
    }
    if (topP != null) {
      options.topP(topP);
    }
    if (acceptance != null) {
      options.acceptance(DecodeOptions.parseAcceptance(acceptance));
    }
    options.seed(seed);
  }
}
