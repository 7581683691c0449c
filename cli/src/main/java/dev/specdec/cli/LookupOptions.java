package dev.specdec.cli;

import dev.specdec.DrafterSpec;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.verification.SpeculativeDecoder;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * N-gram lengths and branches of the prompt-lookup drafters ({@code lookup}, {@code lookup+draft}).
 * An option left out keeps the drafter's default.
 */
final class LookupOptions {
  @Option(
      names = "--ngram-max",
      paramLabel = "N",
      description =
          "Lookup drafters: longest suffix of the context looked up, in [ngram-min, 16]."
              + " Default: 3.")
  Integer ngramMax;

  @Option(
      names = "--ngram-min",
      paramLabel = "M",
      description =
          "Lookup drafters: shortest suffix that counts as a match, >= 1; with lookup+draft,"
              + " shorter matches leave the step to the draft model. Default: 1 for lookup, 2 for"
              + " lookup+draft (at most ngram-max).")
  Integer ngramMin;

  @Option(
      names = "--branches",
      paramLabel = "B",
      description =
          "Lookup drafters: sibling branches from distinct matches, in [1, k]; 1 = a chain."
              + " Default: 1.")
  Integer branches;

  /**
   * Rejects out-of-range values, and lookup options given to a drafter that does not look up
   * ({@code drafter} null means the default, {@code draft} or {@code none}), before any model is
   * loaded.
   */
  void validate(CommandLine cmd, String drafter, Integer draftTokens) {
    String given =
        ngramMax != null
            ? "--ngram-max"
            : ngramMin != null ? "--ngram-min" : branches != null ? "--branches" : null;
    if (given == null) {
      return;
    }
    if (drafter == null || !(drafter.equals("lookup") || drafter.equals("lookup+draft"))) {
      throw new ParameterException(
          cmd,
          given
              + " applies to the lookup drafters only: add --drafter lookup or --drafter"
              + " lookup+draft");
    }
    if (ngramMin != null && ngramMin < 1) {
      throw new ParameterException(cmd, "--ngram-min must be >= 1, was " + ngramMin);
    }
    int maxNgram = DecodeOptions.Builder.MAX_NGRAM;
    if (ngramMax != null && (ngramMax < 1 || ngramMax > maxNgram)) {
      throw new ParameterException(
          cmd, "--ngram-max must be in [1, " + maxNgram + "], was " + ngramMax);
    }
    if (ngramMax != null && ngramMin != null && ngramMax < ngramMin) {
      throw new ParameterException(
          cmd, "--ngram-max (" + ngramMax + ") must be >= --ngram-min (" + ngramMin + ")");
    }
    if (ngramMax == null && ngramMin != null && ngramMin > DrafterSpec.Lookup.DEFAULT_NGRAM_MAX) {
      throw new ParameterException(
          cmd,
          "--ngram-min ("
              + ngramMin
              + ") must be <= --ngram-max (default "
              + DrafterSpec.Lookup.DEFAULT_NGRAM_MAX
              + "): give a larger --ngram-max too");
    }
    int maxBranches = SpeculativeDecoder.MAX_DRAFT_TOKENS;
    if (branches != null && (branches < 1 || branches > maxBranches)) {
      throw new ParameterException(
          cmd, "--branches must be in [1, " + maxBranches + "], was " + branches);
    }
    if (branches != null && draftTokens != null && draftTokens > 0 && branches > draftTokens) {
      throw new ParameterException(
          cmd,
          "--branches ("
              + branches
              + ") must be <= -k ("
              + draftTokens
              + "): each branch takes at least one draft token");
    }
  }

  /** Overrides the builder's values with those given on the command line. */
  void applyTo(DecodeOptions.Builder options) {
    if (ngramMax != null) {
      options.ngramMax(ngramMax);
    }
    if (ngramMin != null) {
      options.ngramMin(ngramMin);
    }
    if (branches != null) {
      options.branches(branches);
    }
  }
}
