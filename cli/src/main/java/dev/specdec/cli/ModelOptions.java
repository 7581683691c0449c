package dev.specdec.cli;

import dev.specdec.runtime.Device;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which bundle to load, where to run it and with how many threads: shared by the commands that load
 * models.
 */
final class ModelOptions {
  @Option(
      names = "--bundle",
      paramLabel = "DIR",
      description =
          "Model bundle directory (with specdec.json). Default: models/<name in"
              + " models/default-bundle> under the specdec home.")
  Path bundle;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      converter = DeviceConverter.class,
      defaultValue = "cpu",
      description = "cpu, cuda or cuda:N (CUDA needs the -Pcuda build). Default: ${DEFAULT-VALUE}.")
  Device device;

  @Mixin ThreadOptions threads;

  /** The bundle directory: {@code --bundle}, else the default bundle of the specdec home. */
  Path bundleDirectory() throws UserException {
    return bundle != null ? bundle : DefaultBundle.resolve(DefaultBundle.home());
  }
}
