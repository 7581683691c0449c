package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** {@code specdec decode --drafter mtp} on the committed test bundle. */
class MtpDecodeCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  @Test
  void greedyMtpTreeDecodingIsIdenticalToThePlainBaseline() {
    Cli cli =
        Cli.run(
            "decode",
            "--bundle",
            BUNDLE,
            "--prompt",
            "Good morrow",
            "--drafter",
            "mtp",
            "--depth",
            "3",
            "--mtp-branches",
            "2",
            "-k",
            "6",
            "--max-new-tokens",
            "24",
            "--compare",
            "--json");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertEquals("mtp", report.get("drafter").getAsString());
    assertEquals(3, report.get("depth").getAsInt());
    assertEquals(2, report.get("branches").getAsInt());
    assertTrue(report.get("identicalToBaseline").getAsBoolean(), cli.out());
  }

  @Test
  void depthWithoutTheMtpDrafterIsAUsageError() {
    Cli cli =
        Cli.run(
            "decode", "--bundle", BUNDLE, "--prompt", "Hark", "--drafter", "draft", "--depth", "2");
    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertTrue(
        cli.err().contains("--depth applies to the MTP drafter only: add --drafter mtp"),
        cli.err());
  }
}
