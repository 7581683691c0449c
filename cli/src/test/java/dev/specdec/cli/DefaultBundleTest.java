package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultBundleTest {

  @Test
  void repositoryDefaultIsTheTrainedFamily() throws Exception {
    assertEquals(Cli.root().resolve("models/specdec-java"), DefaultBundle.resolve(Cli.root()));
  }

  @Test
  void nameIsReadFromThePointerFileWithoutWhitespace(@TempDir Path home) throws Exception {
    Files.createDirectories(home.resolve("models"));
    Files.writeString(home.resolve(DefaultBundle.POINTER), "  tiny-1\n");

    assertEquals(home.resolve("models/tiny-1"), DefaultBundle.resolve(home));
  }

  @Test
  void missingPointerFileSaysToPassBundle(@TempDir Path home) {
    UserException e = assertThrows(UserException.class, () -> DefaultBundle.resolve(home));
    assertTrue(e.getMessage().contains("pass --bundle DIR"), e.getMessage());
  }

  @Test
  void pointerMustNameADirectoryInModels(@TempDir Path home) throws Exception {
    Files.createDirectories(home.resolve("models"));
    Files.writeString(home.resolve(DefaultBundle.POINTER), "../../etc\n");

    assertThrows(UserException.class, () -> DefaultBundle.resolve(home));
  }
}
