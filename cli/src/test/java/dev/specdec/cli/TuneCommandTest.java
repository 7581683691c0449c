package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.specdec.eval.TuneProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specdec tune} and {@code --profile} on the committed test bundle (models/test-tiny). */
class TuneCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  @TempDir Path dir;

  private Path prompts() throws IOException {
    return Files.writeString(
        dir.resolve("prompts.jsonl"),
        "{\"id\": \"a\", \"category\": \"verse\", \"prompt\": \"Now is the winter of our\"}\n"
            + "{\"id\": \"b\", \"category\": \"greeting\", \"prompt\": \"Good morrow, good\"}\n");
  }

  /** A profile for test-tiny whose category "verse" chose draft k = 2, overall plain decoding. */
  private Path profile() throws IOException {
    TuneProfile.Choice plain = new TuneProfile.Choice("none", "drafter=none,k=0", 1, 1, 1, 1);
    TuneProfile.Choice k2 = new TuneProfile.Choice("draft-k2", "drafter=draft,k=2", 1, 1.1, 1, 1.2);
    TuneProfile p =
        new TuneProfile(
            "test-tiny",
            Files.size(Cli.testTiny().resolve("target.onnx")),
            new TuneProfile.Machine("cpu", 1, 0, "key"),
            "2026-12-04T19:00:00Z",
            "prompts.jsonl",
            8,
            plain,
            Map.of("verse", k2),
            List.of(plain, k2));
    Path file = dir.resolve("profile.json");
    p.write(file);
    return file;
  }

  @Test
  void tuneWritesAProfileWithTheBestConfigPerCategoryAndTheMachine() throws IOException {
    Path out = dir.resolve("tuned.json");
    Path raw = dir.resolve("raw");
    Cli cli =
        Cli.run(
            "tune",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--profile",
            out.toString(),
            "--config",
            "k1=drafter=draft,k=1",
            "--config",
            "k3=drafter=draft,k=3",
            "--config",
            "lookup=drafter=lookup,k=4",
            "--max-new-tokens",
            "6",
            "--sweep-tokens",
            "6",
            "--shortlist",
            "1",
            "--repeats",
            "1",
            "--raw",
            raw.toString());

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    assertTrue(cli.out().contains("Profile written to " + out), cli.out());
    TuneProfile p = TuneProfile.read(out);
    assertEquals("test-tiny", p.bundle());
    assertEquals(List.of("verse", "greeting"), List.copyOf(p.categories().keySet()));
    assertEquals(
        List.of("none", "k1", "k3", "lookup"),
        p.sweep().stream().map(TuneProfile.Choice::name).toList(),
        "plain decoding is always a candidate");
    for (TuneProfile.Choice c : p.sweep()) {
      assertTrue(Double.isFinite(c.predictedSpeedup()) && c.predictedSpeedup() > 0, c.toString());
    }
    for (TuneProfile.Choice c : List.of(p.overall(), p.categories().get("verse"))) {
      assertTrue(Double.isFinite(c.measuredSpeedup()) && c.measuredSpeedup() > 0, c.toString());
      assertFalse(c.spec().contains("temperature"), "sampling stays the command's: " + c.spec());
    }
    assertTrue(p.machine().passCostKey().contains("target.onnx"), p.machine().passCostKey());
    assertEquals(Runtime.getRuntime().availableProcessors(), p.machine().cores());
    assertTrue(Files.isRegularFile(raw.resolve("sweep.json")));
    assertTrue(Files.isRegularFile(raw.resolve("measured.json")));
  }

  @Test
  void decodeUsesTheProfilesConfigForTheCategoryAndExplicitOptionsWin() throws IOException {
    Path profile = profile();
    JsonObject verse = decode("--profile", profile.toString(), "--category", "verse");
    assertEquals("draft", verse.get("drafter").getAsString());
    assertEquals(2, verse.get("draftTokens").getAsInt());

    JsonObject overall = decode("--profile", profile.toString());
    assertEquals("none", overall.get("drafter").getAsString(), "no category: the overall best");

    JsonObject k3 = decode("--profile", profile.toString(), "--category", "verse", "-k", "3");
    assertEquals("draft", k3.get("drafter").getAsString());
    assertEquals(3, k3.get("draftTokens").getAsInt(), "an explicit -k wins over the profile's");

    JsonObject lookup = decode("--profile", profile.toString(), "--drafter", "lookup");
    assertEquals("lookup", lookup.get("drafter").getAsString(), "an explicit drafter wins");
  }

  @Test
  void benchRunsEachCategoryWithItsProfileConfig() throws IOException {
    Cli cli =
        Cli.run(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--profile",
            profile().toString(),
            "--max-new-tokens",
            "4",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--json");

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
    var configs = report.getAsJsonArray("configs");
    assertEquals(2, configs.size());
    JsonObject first = configs.get(0).getAsJsonObject();
    assertEquals("profile:draft-k2", first.get("name").getAsString());
    assertEquals(1, first.get("samples").getAsInt(), "only the verse prompt");
    JsonObject second = configs.get(1).getAsJsonObject();
    assertEquals("profile:none", second.get("name").getAsString());
    assertEquals(1, second.get("samples").getAsInt(), "only the greeting prompt");
  }

  @Test
  void aMalformedProfileIsAClearErrorWithoutAStackTrace() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"format\": \"specdec-profile/1\"");
    Cli cli =
        Cli.run("decode", "--bundle", BUNDLE, "--prompt", "Now is", "--profile", bad.toString());

    assertEquals(ExitCodes.FAILURE, cli.exitCode());
    assertTrue(cli.err().contains("profile " + bad + " is not valid JSON"), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
  }

  @Test
  void aProfileOfAnotherBundleSaysSoAndHowToFixIt() throws IOException {
    Path other =
        Files.writeString(
            dir.resolve("other.json"),
            Files.readString(profile()).replace("\"test-tiny\"", "\"specdec-java\""));
    Cli cli =
        Cli.run(
            "eval",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--profile",
            other.toString(),
            "--out",
            dir.resolve("report").toString());

    assertEquals(ExitCodes.FAILURE, cli.exitCode());
    assertTrue(
        cli.err().contains("was made for bundle 'specdec-java', not for 'test-tiny'"), cli.err());
    assertTrue(cli.err().contains("specdec tune --bundle"), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
  }

  private JsonObject decode(String... profileArgs) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "decode",
                "--bundle",
                BUNDLE,
                "--prompt",
                "Now is",
                "--max-new-tokens",
                "4",
                "--json"));
    args.addAll(List.of(profileArgs));
    Cli cli = Cli.run(args.toArray(String[]::new));
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    return JsonParser.parseString(cli.out()).getAsJsonObject();
  }
}
