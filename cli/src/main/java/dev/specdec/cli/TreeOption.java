package dev.specdec.cli;

import dev.specdec.DrafterSpec;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.tree.TreeSpec;
import java.io.UncheckedIOException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --tree}: the token tree of the medusa drafter, or of the draft drafter (a mixin). */
final class TreeOption {
  @Option(
      names = "--tree",
      paramLabel = "TREE",
      converter = Converter.class,
      description =
          "Token tree for --drafter medusa (default "
              + DrafterSpec.DEFAULT_MEDUSA_TREE
              + ") or draft (default: a chain): a shipped tree (chain-4, medusa-8, medusa-16,"
              + " medusa-32, medusa-63), a JSON choice-list FILE (FILE#NAME picks one of several),"
              + " or dynamic:budget=B,depth=D,topk=K. Unless -k is given, k = the tree's size.")
  TreeSpec tree;

  /** Sets the tree on {@code options} when one was given. */
  void applyTo(DecodeOptions.Builder options) {
    if (tree != null) {
      options.tree(tree);
    }
  }

  /** Parses a tree spec; a bad one is a usage error naming what is valid. */
  static final class Converter implements ITypeConverter<TreeSpec> {
    @Override
    public TreeSpec convert(String value) {
      try {
        return TreeSpec.parse(value.strip());
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      } catch (UncheckedIOException e) {
        throw new TypeConversionException(e.getMessage() + ": " + e.getCause().getMessage());
      }
    }
  }
}
