package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.specdec.runtime.EngineOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --threads} and {@code --spin} become the engine's options; left out, the defaults. */
class ThreadOptionsTest {
  private static EngineOptions parse(String... args) {
    ThreadOptions options = new ThreadOptions();
    CommandLine cmd = new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
    cmd.parseArgs(args);
    return options.engineOptions(cmd);
  }

  @Test
  void givenValuesReachTheEngineOptions() {
    assertEquals(new EngineOptions(1, true), parse("--threads", "1", "--spin", "on"));
    assertEquals(new EngineOptions(3, false), parse("--threads", "3", "--spin", "OFF"));
  }

  @Test
  void leftOutTheyAreTheEngineDefaults() {
    assertEquals(EngineOptions.defaults(), parse());
    assertEquals(new EngineOptions(0, true), parse("--spin", "on"));
  }
}
