package dev.specdec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code specdec} looks for a bundle when {@code --bundle} is not given: {@code
 * <home>/models/<name>}, the name read from the one-line file {@code <home>/models/default-bundle}.
 * The home is the {@code specdec.home} system property (the launcher sets it to the repository
 * root), else the working directory.
 */
final class DefaultBundle {
  /** The file naming the default bundle, relative to the home. */
  static final String POINTER = "models/default-bundle";

  private DefaultBundle() {}

  /** The home directory: {@code -Dspecdec.home}, else the working directory. */
  static Path home() {
    String home = System.getProperty("specdec.home");
    return (home != null && !home.isBlank() ? Path.of(home) : Path.of(""))
        .toAbsolutePath()
        .normalize();
  }

  /**
   * The default bundle directory under {@code home}.
   *
   * @throws UserException when the pointer file is missing, unreadable, empty, or names something
   *     other than a directory name
   */
  static Path resolve(Path home) throws UserException {
    Path pointer = home.resolve(POINTER);
    if (!Files.isRegularFile(pointer)) {
      throw new UserException(
          "no --bundle given and no default bundle: "
              + pointer
              + " does not exist (pass --bundle DIR, or run specdec from its repository)");
    }
    String name;
    try {
      name = Files.readString(pointer).strip();
    } catch (IOException e) {
      throw new UserException("cannot read " + pointer + ": " + e.getMessage(), e);
    }
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new UserException(
          pointer + " must hold the name of a directory in models/, found '" + name + "'");
    }
    return home.resolve("models").resolve(name);
  }
}
