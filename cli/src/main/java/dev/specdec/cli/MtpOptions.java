package dev.specdec.cli;

import dev.specdec.drafting.MtpConfig;
import dev.specdec.eval.DecodeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Depth and branches of the MTP drafter ({@code --drafter mtp}). */
final class MtpOptions {
  @Option(
      names = "--depth",
      paramLabel = "D",
      description =
          "MTP drafter: most chained MTP steps per proposal (the deepest draft), in [1, 64]; the"
              + " module is trained for depth 1, deeper steps feed it its own hidden state."
              + " Default: k.")
  Integer depth;

  @Option(
      names = "--mtp-branches",
      paramLabel = "B",
      description =
          "MTP drafter: children per expanded node, in [1, 64]; 1 = a chain, more = a tree of at"
              + " most k drafts (the top B tokens when greedy, B samples otherwise). Default: 1.")
  Integer branches;

  /** Rejects out-of-range values, and MTP options given to another drafter, before loading. */
  void validate(CommandLine cmd, String drafter) {
    String given = depth != null ? "--depth" : branches != null ? "--mtp-branches" : null;
    if (given == null) {
      return;
    }
    if (!"mtp".equals(drafter)) {
      throw new ParameterException(
          cmd, given + " applies to the MTP drafter only: add --drafter mtp");
    }
    if (depth != null && (depth < 1 || depth > MtpConfig.MAX)) {
      throw new ParameterException(
          cmd, "--depth must be in [1, " + MtpConfig.MAX + "], was " + depth);
    }
    if (branches != null && (branches < 1 || branches > MtpConfig.MAX)) {
      throw new ParameterException(
          cmd, "--mtp-branches must be in [1, " + MtpConfig.MAX + "], was " + branches);
    }
  }

  /** Overrides the builder's values with those given on the command line. */
  void applyTo(DecodeOptions.Builder options) {
    if (depth != null) {
      options.depth(depth);
    }
    if (branches != null) {
      options.mtpBranches(branches);
    }
  }
}
