package dev.specdec.cli;

import dev.specdec.eval.DrafterKind;
import java.util.Arrays;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code --drafter} by the names reports use ({@link DrafterKind#toString()}: {@code none},
 * {@code draft}, {@code lookup}, {@code lookup+draft}), ignoring case.
 */
final class DrafterConverter implements ITypeConverter<DrafterKind> {
  @Override
  public DrafterKind convert(String value) {
    for (DrafterKind kind : DrafterKind.values()) {
      if (kind.toString().equalsIgnoreCase(value.strip())) {
        return kind;
      }
    }
    throw new TypeConversionException(
        "unknown drafter '"
            + value
            + "': expected one of "
            + Arrays.toString(DrafterKind.values()));
  }
}
