package dev.specdec.cli;

import dev.specdec.eval.BudgetMode;
import dev.specdec.eval.DecodeOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --budget auto|fixed}: how each step's draft is sized (a mixin). */
final class BudgetOption {
  @Option(
      names = "--budget",
      paramLabel = "MODE",
      converter = Converter.class,
      description =
          "fixed = draft k tokens (or the whole tree) every step; auto = each step drafts what"
              + " pays on this machine (chains stop early, trees are pruned to their best nodes,"
              + " speculation turns itself off when no draft beats a plain step), from a pass-cost"
              + " probe cached under ~/.cache/specdec/pass-costs. Default: auto for greedy"
              + " decoding (temperature 0: the output is the same either way), fixed when sampling"
              + " (so that a seed reproduces its output); eval and tune default to fixed, as they"
              + " measure each drafter as configured.")
  BudgetMode budget;

  /** Sets the budget on {@code options} when one was given. */
  void applyTo(DecodeOptions.Builder options) {
    if (budget != null) {
      options.budget(budget);
    }
  }

  /** Parses a budget; a bad one is a usage error naming the valid values. */
  static final class Converter implements ITypeConverter<BudgetMode> {
    @Override
    public BudgetMode convert(String value) {
      try {
        return BudgetMode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
