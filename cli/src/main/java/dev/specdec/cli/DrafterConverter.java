package dev.specdec.cli;

import dev.specdec.eval.DecodeOptions;
import java.util.Iterator;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code --drafter} by the names reports use ({@link DecodeOptions#DRAFTERS}: {@code none},
 * {@code draft}, {@code lookup}, {@code lookup+draft}, {@code medusa}, {@code mtp}), ignoring case.
 */
final class DrafterConverter implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    String name = value.strip().toLowerCase(Locale.ROOT);
    if (!DecodeOptions.DRAFTERS.contains(name)) {
      throw new TypeConversionException(
          "unknown drafter '" + value + "': expected one of " + DecodeOptions.DRAFTERS);
    }
    return name;
  }

  /** The names, for the option's help. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return DecodeOptions.DRAFTERS.iterator();
    }
  }
}
