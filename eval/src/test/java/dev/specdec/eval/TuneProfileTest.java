package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile file of {@code specdec tune}: what it holds, how it is read, and how it fails. */
class TuneProfileTest {
  @TempDir Path dir;

  private static final ModelBundle TINY = load();

  private static ModelBundle load() {
    try {
      return ModelBundle.load(testTiny());
    } catch (BundleException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final TuneProfile.Choice PLAIN =
      new TuneProfile.Choice("none", "drafter=none,k=0", 1.0, 0.99, 0.97, 1.02);
  private static final TuneProfile.Choice K2 =
      new TuneProfile.Choice("draft-k2", "drafter=draft,k=2", 1.21, 1.15, 1.05, 1.30);
  private static final TuneProfile.Choice AUTO =
      new TuneProfile.Choice(
          "medusa-auto",
          "drafter=medusa,k=63,tree=medusa-63,budget=auto",
          0.97,
          Double.NaN,
          Double.NaN,
          Double.NaN);

  private static TuneProfile profile(String bundle, long targetBytes) {
    return new TuneProfile(
        bundle,
        targetBytes,
        new TuneProfile.Machine("AMD EPYC", 2, 2, "target.onnx|123|cpu|threads=2|spin=false"),
        "2026-12-04T19:00:00Z",
        "eval/prompts/jdk-heldout.jsonl",
        64,
        PLAIN,
        Map.of("java.time", K2),
        List.of(PLAIN, K2, AUTO));
  }

  @Test
  void roundTripsThroughItsFile() throws Exception {
    TuneProfile written = profile("specdec-java", 6915493);
    Path file = dir.resolve("profile.json");
    written.write(file);

    TuneProfile read = TuneProfile.read(file);

    assertEquals(written, read, "NaN (not measured) survives as JSON null");
    assertTrue(Files.readString(file).contains("\"format\": \"" + TuneProfile.FORMAT + "\""));
    try (var stale = Files.list(dir)) {
      assertEquals(List.of(file), stale.toList(), "no temporary file left beside it");
    }
  }

  @Test
  void picksTheCategorysConfigAndTheOverallBestForAnUnknownCategory() {
    TuneProfile p = profile("specdec-java", 1);
    assertEquals(K2, p.choiceFor(Optional.of("java.time")));
    assertEquals(PLAIN, p.choiceFor(Optional.of("prose")));
    assertEquals(PLAIN, p.choiceFor(Optional.empty()));
  }

  @Test
  void rejectsAProfileMadeForAnotherBundleSayingWhichAndHowToFix() throws Exception {
    ModelBundle bundle = TINY;
    long size = Files.size(bundle.target());
    Path file = dir.resolve("p.json");

    ProfileException other =
        assertThrows(
            ProfileException.class, () -> profile("specdec-java", size).requireFor(bundle, file));
    assertTrue(other.getMessage().contains("made for bundle 'specdec-java', not for 'test-tiny'"));
    assertTrue(other.getMessage().contains("specdec tune --bundle"), other.getMessage());

    ProfileException stale =
        assertThrows(
            ProfileException.class, () -> profile("test-tiny", size + 1).requireFor(bundle, file));
    assertTrue(stale.getMessage().contains("retrained or requantized"), stale.getMessage());

    profile("test-tiny", size).requireFor(bundle, file); // the matching one passes
  }

  @Test
  void malformedProfilesFailNamingTheFileAndTheField() throws Exception {
    Path file = dir.resolve("bad.json");
    String good = profile("b", 1).toJson();

    assertMessage(file, "{\"format\": ", "is not valid JSON");
    assertMessage(file, "[1, 2]", "is not a specdec profile");
    assertMessage(
        file,
        good.replace(TuneProfile.FORMAT, "specdec-profile/9"),
        "has format 'specdec-profile/9'");
    assertMessage(file, good.replace("\"overall\"", "\"overal\""), "missing \"overall\"");
    assertMessage(
        file,
        good.replace("\"cores\": 2", "\"cores\": \"two\""),
        "\"machine.cores\" must be an integer");
    ProfileException missing =
        assertThrows(ProfileException.class, () -> TuneProfile.read(dir.resolve("none.json")));
    assertTrue(missing.getMessage().contains("does not exist: make one with specdec tune"));
  }

  @Test
  void aMachineMismatchIsNamedButNotAnError() {
    TuneProfile p = profile("b", 1);
    assertEquals(Optional.empty(), p.machineMismatch(p.machine()));
    assertEquals(
        Optional.of("cpu 'AMD EPYC' vs 'Other', threads 2 vs 4"),
        p.machineMismatch(new TuneProfile.Machine("Other", 2, 4, "k")));
  }

  @Test
  void storesOnlyTheDraftersKeysOfAConfig() {
    BenchConfig config =
        BenchConfig.parse(
            "m",
            "drafter=mtp,k=3,depth=3,temperature=0.7,budget=auto",
            DecodeOptions.defaultsFor(TINY));
    assertEquals("drafter=mtp,k=3,depth=3,mtp-branches=1,budget=auto", Tuner.drafterSpec(config));
  }

  private static void assertMessage(Path file, String content, String expected) throws Exception {
    Files.writeString(file, content);
    ProfileException e = assertThrows(ProfileException.class, () -> TuneProfile.read(file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  private static Path testTiny() {
    return Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");
  }
}
