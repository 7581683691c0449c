package dev.specdec.cli;

import dev.specdec.runtime.Device;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code --device} with {@link Device#parse}, keeping its message. */
final class DeviceConverter implements ITypeConverter<Device> {
  @Override
  public Device convert(String value) {
    try {
      return Device.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
