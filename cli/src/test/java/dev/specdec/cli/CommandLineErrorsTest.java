package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bad command lines: rejected before any model is loaded, with exit code 2 and one message. */
class CommandLineErrorsTest {

  private static void assertUsageError(Cli cli, String expectedMessage) {
    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: "), cli.err());
    assertTrue(cli.err().contains(expectedMessage), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
    assertEquals("", cli.out());
  }

  @Test
  void negativeTemperatureIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "--temperature", "-0.5"),
        "--temperature must be a finite number >= 0 (0 = greedy), was -0.5");
  }

  @Test
  void topPAboveOneIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "--top-p", "1.5"),
        "--top-p must be in (0, 1] (1 = off), was 1.5");
  }

  @Test
  void topPOfZeroIsAUsageError() {
    assertUsageError(Cli.run("decode", "--prompt", "hi", "--top-p=0"), "--top-p must be in (0, 1]");
  }

  @Test
  void unknownAcceptanceRuleIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "--acceptance", "typical:0.1"),
        "--acceptance: unknown acceptance rule 'typical:0.1': expected greedy, rejection, typical or"
            + " typical:EPS,DELTA");
  }

  @Test
  void greedyAcceptanceWithSamplingIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "--acceptance", "greedy", "--temperature", "0.8"),
        "greedy acceptance needs temperature 0, was temperature 0.8");
  }

  @Test
  void negativeTopKIsAUsageError() {
    assertUsageError(Cli.run("decode", "--prompt", "hi", "--top-k", "-3"), "--top-k must be >= 0");
  }

  @Test
  void draftTokensOutsideZeroToSixtyFourIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "-k", "65"), "-k must be in [0, 64], was 65");
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "-k", "-1"), "-k must be in [0, 64], was -1");
  }

  @Test
  void zeroMaxNewTokensIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "hi", "--max-new-tokens", "0"),
        "--max-new-tokens must be >= 1, was 0");
  }

  @Test
  void emptyPromptIsAUsageError() {
    assertUsageError(Cli.run("decode", "--prompt", ""), "--prompt is empty");
  }

  @Test
  void missingPromptSaysWhichOptionsGiveOne() {
    assertUsageError(Cli.run("decode"), "(--prompt=TEXT | --prompt-file=FILE)");
  }

  @Test
  void promptAndPromptFileAreExclusive() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--prompt-file", "b.txt"), "mutually exclusive");
  }

  @Test
  void unknownDeviceListsTheValidOnes() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--device", "tpu"),
        "unknown device 'tpu': expected one of cpu, cuda, cuda:N");
  }

  @Test
  void unknownDrafterListsTheValidOnes() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "eagle"),
        "unknown drafter 'eagle': expected one of [none, draft, lookup, lookup+draft, mtp, medusa]");
  }

  @Test
  void ngramMinBelowOneIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "lookup", "--ngram-min", "0"),
        "--ngram-min must be >= 1, was 0");
  }

  @Test
  void ngramMaxBelowNgramMinIsAUsageError() {
    assertUsageError(
        Cli.run(
            "decode",
            "--prompt",
            "a",
            "--drafter",
            "lookup+draft",
            "--ngram-min",
            "3",
            "--ngram-max",
            "2"),
        "--ngram-max (2) must be >= --ngram-min (3)");
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "lookup", "--ngram-min", "4"),
        "--ngram-min (4) must be <= --ngram-max (default 3)");
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "lookup", "--ngram-max", "17"),
        "--ngram-max must be in [1, 16], was 17");
  }

  @Test
  void branchesOutOfRangeIsAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "lookup", "--branches", "0"),
        "--branches must be in [1, 64], was 0");
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "lookup", "-k", "2", "--branches", "3"),
        "--branches (3) must be <= -k (2): each branch takes at least one draft token");
  }

  @Test
  void branchesAboveTheBundlesKIsAUsageError() {
    String bundle = Cli.testTiny().toString(); // recommends k = 4
    assertUsageError(
        Cli.run(
            "decode",
            "--bundle",
            bundle,
            "--prompt",
            "a",
            "--drafter",
            "lookup",
            "--branches",
            "5"),
        "branches (5) must be <= draft tokens per step k (4)");
  }

  @Test
  void lookupOptionsWithoutALookupDrafterAreAUsageError() {
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--ngram-max", "4"),
        "--ngram-max applies to the lookup drafters only: add --drafter lookup or --drafter"
            + " lookup+draft");
    assertUsageError(
        Cli.run("decode", "--prompt", "a", "--drafter", "draft", "--branches", "2"),
        "--branches applies to the lookup drafters only");
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertUsageError(Cli.run("decode", "--prompt", "a", "--fast"), "Unknown option: '--fast'");
  }

  @Test
  void noCommandIsAUsageError() {
    Cli cli = Cli.run();
    assertEquals(ExitCodes.USAGE, cli.exitCode());
    assertTrue(cli.err().contains("missing a command"), cli.err());
  }

  @Test
  void helpSucceedsAndListsTheOptions() {
    Cli cli = Cli.run("decode", "--help");
    assertEquals(ExitCodes.OK, cli.exitCode());
    for (String option :
        new String[] {
          "--bundle",
          "--drafter",
          "lookup+draft",
          "-k",
          "--ngram-max",
          "--ngram-min",
          "--branches",
          "--temperature",
          "--top-k",
          "--top-p"
        }) {
      assertTrue(cli.out().contains(option), option);
    }
  }

  @Test
  void threadCountAndSpinAreValidated() {
    Cli ok =
        Cli.run(
            "decode",
            "--bundle",
            Cli.testTiny().toString(),
            "--prompt",
            "To be",
            "--max-new-tokens",
            "2",
            "--spin",
            "off",
            "--threads",
            String.valueOf(Runtime.getRuntime().availableProcessors()));
    assertEquals(0, ok.exitCode(), ok.err());
    Cli cli =
        Cli.run("decode", "--bundle", Cli.testTiny().toString(), "--prompt", "x", "--threads", "0");
    assertUsageError(cli, "--threads must be in [1, 256], was 0");
    assertUsageError(
        Cli.run("decode", "--bundle", Cli.testTiny().toString(), "--prompt", "x", "--spin", "yes"),
        "Invalid value for option '--spin': expected one of [ON, OFF] (case-insensitive) but was"
            + " 'yes'");
  }
}
