package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.DrafterSpec;
import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchConfigTest {
  private static final GenerationDefaults DEFAULTS = new GenerationDefaults(32, 0.0, 0, 1.0, 4);

  private static DecodeOptions.Builder base() {
    Path root = Path.of("/bundles/x").toAbsolutePath();
    ModelBundle bundle =
        new ModelBundle(
            root,
            "x",
            "",
            root.resolve("tokenizer.json"),
            root.resolve("target.onnx"),
            Optional.of(root.resolve("draft.onnx")),
            DEFAULTS,
            Optional.empty(),
            Optional.empty());
    return DecodeOptions.defaultsFor(bundle).seed(7);
  }

  @Test
  void appliesEachKeyOverTheBundleDefaults() {
    BenchConfig config =
        BenchConfig.parse(
            "wide",
            "drafter=lookup, k=8,temperature=0.5,top-k=40,top-p=0.9,ngram-max=4,ngram-min=2,"
                + "branches=3",
            base());

    assertEquals(
        new DecodeOptions(DrafterSpec.lookup(4, 2, 8, 3), new SamplingConfig(0.5, 40, 0.9), 7, 32),
        config.options());
    assertEquals("wide", config.name());
  }

  @Test
  void anEmptySpecKeepsTheDefaults() {
    assertEquals(base().build(), BenchConfig.parse("d", "", base()).options());
  }

  @Test
  void splitsNameAndSpecAtTheFirstEqualsSign() {
    BenchConfig config = BenchConfig.parse("plain=drafter=none", base());

    assertEquals("plain", config.name());
    assertEquals(DrafterSpec.none(), config.options().drafter());
    assertEquals(0, config.options().draftTokens());
  }

  @Test
  void specParsesBackToTheSameOptions() {
    BenchConfig config =
        BenchConfig.parse("l", "drafter=lookup+draft,k=6,temperature=0.7,branches=2", base());

    assertEquals(
        "drafter=lookup+draft,k=6,temperature=0.7,top-k=0,top-p=1.0,ngram-max=3,ngram-min=2,"
            + "branches=2,budget=fixed",
        config.spec());
    assertEquals(config.options(), BenchConfig.parse("l", config.spec(), base()).options());
  }

  @Test
  void rejectsAnUnknownKeyListingTheValidOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BenchConfig.parse("x", "k=4,width=3", base()));

    assertEquals(
        "config x: unknown key 'width'; valid keys: drafter, k, temperature, top-k, top-p,"
            + " ngram-max, ngram-min, branches, depth, mtp-branches, acceptance, tree, budget",
        e.getMessage());
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertEquals(
        "config x: k must be an integer, was 'four'",
        assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("x", "k=four", base()))
            .getMessage());
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchConfig.parse("x", "drafter=eagle", base()))
            .getMessage()
            .startsWith("config x: unknown drafter 'eagle'"));
    assertEquals(
        "config x: top-p must be in (0, 1] (1 = off), was 1.5",
        assertThrows(
                IllegalArgumentException.class, () -> BenchConfig.parse("x", "top-p=1.5", base()))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("x", "k", base()))
            .getMessage()
            .contains("'k' must be key=value"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> BenchConfig.parse("x", "k=2,k=3", base()))
            .getMessage()
            .contains("key 'k' given twice"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> BenchConfig.parse("drafter", base()))
            .getMessage()
            .contains("must be NAME=SPEC"));
  }

  @Test
  void acceptanceKeySelectsTheRuleAndRoundTripsThroughTheSpec() {
    BenchConfig typical =
        BenchConfig.parse("t", "temperature=0.7,acceptance=typical:0.05;0.2", base());
    assertEquals(AcceptanceRule.typical(0.05, 0.2), typical.options().rule());
    assertEquals(typical.options(), BenchConfig.parse("again", typical.spec(), base()).options());
    assertTrue(
        typical.spec().endsWith(",acceptance=typical:0.05;0.2,budget=fixed"), typical.spec());
    assertEquals(
        AcceptanceRule.rejectionSampling(),
        BenchConfig.parse("r", "acceptance=rejection", base()).options().rule());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchConfig.parse("g", "temperature=1,acceptance=greedy", base()));
    assertTrue(
        e.getMessage().startsWith("config g: greedy acceptance needs temperature 0"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchConfig.parse("bad", "acceptance=always", base()));
    assertTrue(e.getMessage().contains("unknown acceptance rule 'always'"), e.getMessage());
  }
}
