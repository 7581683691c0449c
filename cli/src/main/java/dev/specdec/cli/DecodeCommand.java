package dev.specdec.cli;

import dev.specdec.eval.BundleDecoder;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.eval.DecodeReport;
import dev.specdec.eval.TuneProfile;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.verification.SpeculativeDecoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code specdec decode}: continue a prompt with speculative decoding and report how it went. */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Continues a prompt with speculative decoding: streams the text to stdout, then prints new"
          + " tokens, target passes, mean accepted length (tau), acceptance and tokens/s.",
      "Options left out take the bundle's recommended values (specdec.json, \"generation\").",
      "Temperature 0 verifies greedily (output identical to plain greedy decoding); any other"
          + " temperature uses exact rejection sampling."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, prompt file, prompt too long, device unavailable",
      "2:bad command line",
      "70:internal error (stack trace printed)",
      "130:interrupted by SIGINT (Ctrl-C): what was generated is printed, stop reason interrupted",
      "143:stopped by SIGTERM, as for 130"
    })
final class DecodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SpecdecCommand parent;

  @Mixin ModelOptions model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  PromptSource prompt;

  @Option(
      names = "--drafter",
      paramLabel = "KIND",
      converter = DrafterConverter.class,
      completionCandidates = DrafterConverter.Names.class,
      description =
          "Drafter: ${COMPLETION-CANDIDATES}. none = plain decoding; draft = the bundle's draft"
              + " model; lookup = prompt lookup (copies what followed earlier occurrences of the"
              + " last n-gram; no model); lookup+draft = lookup when the longest match has at"
              + " least ngram-min tokens, else the draft model; mtp = the bundle's MTP module on"
              + " the target's hidden states (--depth, --mtp-branches); medusa = the bundle's"
              + " Medusa heads fill --tree. Default: draft when the bundle has a draft model, else"
              + " none.")
  String drafter;

  @Option(
      names = {"-k", "--draft-tokens"},
      paramLabel = "N",
      description = "Draft tokens per step, in [0, 64]; 0 = plain decoding. Default: the bundle's.")
  Integer draftTokens;

  @Mixin LookupOptions lookup;

  @Mixin MtpOptions mtp;
  @Mixin TreeOption tree;

  @Mixin BudgetOption budget;

  @Mixin ProfileOption profile;

  @Option(
      names = "--category",
      paramLabel = "NAME",
      description =
          "With --profile: the prompt's category, whose best config the profile names (a"
              + " category the profile does not know gets its overall best). Default: overall.")
  String category;

  @Mixin SamplingOptions sampling;

  @Option(
      names = "--max-new-tokens",
      paramLabel = "N",
      description = "Most tokens to generate, >= 1 (EOS stops earlier). Default: the bundle's.")
  Integer maxNewTokens;

  @Option(
      names = "--compare",
      description =
          "Also decode plainly with the target alone (same sampling and seed): report its"
              + " tokens/s, the speedup and, for greedy, whether the outputs are identical. Both"
              + " runs are timed after an untimed run of each; the text is printed once both are"
              + " done, so that writing it is in neither run's time.")
  boolean compare;

  @Option(
      names = "--json",
      description = "Print only a JSON object with the text, token ids and statistics.")
  boolean json;

  /** Exactly one of the prompt options. */
  static final class PromptSource {
    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "The prompt.")
    String text;

    @Option(
        names = "--prompt-file",
        paramLabel = "FILE",
        required = true,
        description = "Read the prompt from FILE (UTF-8).")
    Path file;

    String read() throws UserException {
      if (text != null) {
        return text;
      }
      if (Files.isDirectory(file)) {
        throw new UserException("prompt file " + file + " is a directory, not a file");
      }
      if (!Files.isRegularFile(file)) {
        throw new UserException("prompt file does not exist: " + file);
      }
      try {
        String content = Files.readString(file);
        if (content.isEmpty()) {
          throw new UserException("prompt file is empty: " + file);
        }
        return content;
      } catch (CharacterCodingException e) {
        throw new UserException("prompt file is not valid UTF-8: " + file, e);
      } catch (IOException e) {
        throw new UserException("cannot read prompt file " + file + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    validate(cmd);
    String text = prompt.read();
    ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
    DecodeOptions options = options(bundle, cmd);
    PrintWriter out = cmd.getOut();
    Consumer<String> onText =
        json
            ? chunk -> {}
            : chunk -> {
              out.print(chunk);
              out.flush();
            };
    Interruption interruption = parent.interruption();
    DecodeReport report;
    try (BundleDecoder decoder =
        BundleDecoder.open(
            bundle,
            model.device,
            model.threads.engineOptions(cmd),
            options,
            interruption.cancellation())) {
      report = compare ? decoder.compare(text, onText) : decoder.decode(text, onText);
      if (json) {
        out.println(report.toJson());
      } else {
        out.println();
        out.println();
        out.print(report.toText());
      }
      out.flush();
    }
    if (interruption.interrupted()) {
      return interruption.report(
          cmd.getErr(),
          "stopped after "
              + report.result().stats().newTokens()
              + " new tokens"
              + (compare && report.comparison().isEmpty() ? ", without the comparison" : ""));
    }
    return ExitCodes.OK;
  }

  private void validate(CommandLine cmd) {
    if (prompt.text != null && prompt.text.isEmpty()) {
      throw new ParameterException(cmd, "--prompt is empty: give some text to continue");
    }
    if (prompt.text != null && prompt.text.indexOf('\uFFFD') >= 0) {
      // The JVM decodes arguments with the locale's charset and replaces what does not decode by
      // U+FFFD: the bytes given are lost, as in a prompt file that is not UTF-8.
      String charset = System.getProperty("sun.jnu.encoding", "UTF-8");
      throw new ParameterException(
          cmd,
          "--prompt is not valid "
              + (charset.equalsIgnoreCase("UTF-8") ? "UTF-8" : charset + " (the locale's charset)")
              + ": it holds bytes that do not decode (shown as U+FFFD); pass UTF-8 text"
              + (charset.equalsIgnoreCase("UTF-8") ? "" : " under a UTF-8 locale (LANG=C.UTF-8)")
              + ", or use --prompt-file");
    }
    if (draftTokens != null
        && (draftTokens < 0 || draftTokens > SpeculativeDecoder.MAX_DRAFT_TOKENS)) {
      throw new ParameterException(
          cmd,
          "-k must be in [0, " + SpeculativeDecoder.MAX_DRAFT_TOKENS + "], was " + draftTokens);
    }
    if (maxNewTokens != null && maxNewTokens < 1) {
      throw new ParameterException(cmd, "--max-new-tokens must be >= 1, was " + maxNewTokens);
    }
    lookup.validate(cmd, drafter, draftTokens);
    mtp.validate(cmd, drafter);
    sampling.validate(cmd);
    if (category != null && !profile.given()) {
      throw new ParameterException(cmd, "--category goes with --profile");
    }
  }

  /**
   * The command line's settings over the bundle's defaults. A conflict between them (such as
   * --branches above the bundle's k) is a bad command line.
   */
  private DecodeOptions options(ModelBundle bundle, CommandLine cmd) throws UserException {
    DecodeOptions.Builder options = DecodeOptions.defaultsFor(bundle);
    if (profile.given() && drafter == null) {
      // The profile's config first; every option given explicitly is applied over it below.
      TuneProfile p =
          profile.load(bundle, cmd.getErr(), model.threads.engineOptions(cmd).intraOpThreads());
      TuneProfile.Choice choice =
          ProfileOption.applyTo(p, profile.profile, Optional.ofNullable(category), options);
      cmd.getErr()
          .printf(
              Locale.ROOT,
              "profile %s: %s (%s), measured %.2fx on %s%n",
              profile.profile,
              choice.name(),
              choice.spec(),
              choice.measuredSpeedup(),
              p.machine().cpu());
      cmd.getErr().flush();
    } else if (profile.given()) {
      cmd.getErr()
          .println("note: --drafter given, so --profile " + profile.profile + " is not used");
      cmd.getErr().flush();
    }
    if (drafter != null) {
      options.drafter(drafter);
    }
    if (draftTokens != null) {
      options.draftTokens(draftTokens);
    }
    if (maxNewTokens != null) {
      options.maxNewTokens(maxNewTokens);
    }
    lookup.applyTo(options);
    mtp.applyTo(options);
    tree.applyTo(options);
    budget.applyTo(options);
    sampling.applyTo(options);
    try {
      return options.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
