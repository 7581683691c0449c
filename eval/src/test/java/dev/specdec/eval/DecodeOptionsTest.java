package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.DrafterSpec;
import dev.specdec.drafting.LookupConfig;
import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecodeOptionsTest {
  private static final GenerationDefaults DEFAULTS = new GenerationDefaults(32, 0.7, 40, 0.9, 6);

  private static ModelBundle bundle(boolean withDraft) {
    Path root = Path.of("/bundles/x").toAbsolutePath();
    return new ModelBundle(
        root,
        "x",
        "",
        root.resolve("tokenizer.json"),
        root.resolve("target.onnx"),
        withDraft ? Optional.of(root.resolve("draft.onnx")) : Optional.empty(),
        DEFAULTS,
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void defaultsComeFromTheBundleWithTheDraftDrafterWhenItHasADraft() {
    DecodeOptions options = DecodeOptions.defaultsFor(bundle(true)).build();

    assertEquals(
        new DecodeOptions(DrafterSpec.draftModel(6), new SamplingConfig(0.7, 40, 0.9), 0, 32),
        options);
    assertInstanceOf(AcceptanceRule.RejectionSampling.class, options.rule());
  }

  @Test
  void bundleWithoutDraftDefaultsToPlainDecoding() {
    DecodeOptions options = DecodeOptions.defaultsFor(bundle(false)).build();

    assertEquals(DrafterSpec.none(), options.drafter());
    assertEquals(0, options.draftTokens());
  }

  @Test
  void settersOverrideTheDefaults() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true))
            .draftTokens(3)
            .temperature(0)
            .topK(0)
            .topP(1)
            .seed(42)
            .maxNewTokens(8)
            .build();

    assertEquals(
        new DecodeOptions(
            DrafterSpec.draftModel(3),
            SamplingConfig.greedy(),
            42,
            8,
            Optional.empty(),
            BudgetMode.AUTO),
        options);
    assertInstanceOf(AcceptanceRule.Greedy.class, options.rule());
  }

  @Test
  void zeroDraftTokensMeansPlainDecodingAndNoneDraftsNothing() {
    assertEquals(
        DrafterSpec.none(),
        DecodeOptions.defaultsFor(bundle(true)).draftTokens(0).build().drafter());
    assertEquals(
        0,
        DecodeOptions.defaultsFor(bundle(true))
            .drafter("none")
            .draftTokens(8)
            .build()
            .draftTokens());
  }

  @Test
  void rejectsOutOfRangeSettingsNamingThem() {
    IllegalArgumentException k =
        assertThrows(
            IllegalArgumentException.class,
            () -> DecodeOptions.defaultsFor(bundle(true)).draftTokens(65).build());
    assertTrue(k.getMessage().contains("[0, 64], was 65"), k.getMessage());
    IllegalArgumentException topP =
        assertThrows(
            IllegalArgumentException.class,
            () -> DecodeOptions.defaultsFor(bundle(true)).topP(1.5).build());
    assertTrue(topP.getMessage().contains("top-p"), topP.getMessage());
    IllegalArgumentException max =
        assertThrows(
            IllegalArgumentException.class,
            () -> DecodeOptions.defaultsFor(bundle(true)).maxNewTokens(0).build());
    assertTrue(max.getMessage().contains("max new tokens"), max.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DrafterSpec.draftModel(0));
  }

  @Test
  void lookupDefaultsToNgramsOfOneToThreeInAChain() {
    DecodeOptions options = DecodeOptions.defaultsFor(bundle(false)).drafter("lookup").build();

    assertEquals(DrafterSpec.lookup(3, 1, 6, 1), options.drafter());
    assertEquals(6, options.draftTokens(), "the bundle's k");
    assertEquals(
        new LookupConfig(3, 1, 6, 1, 64), ((DrafterSpec.Lookup) options.drafter()).config());
  }

  @Test
  void lookupThenDraftDefaultsToAMinimumMatchOfTwo() {
    DecodeOptions options = DecodeOptions.defaultsFor(bundle(true)).drafter("lookup+draft").build();

    assertEquals(DrafterSpec.lookupThenDraft(3, 2, 6, 1), options.drafter());
    assertEquals(
        options,
        new DecodeOptions(DrafterSpec.lookupThenDraft(6), new SamplingConfig(0.7, 40, 0.9), 0, 32),
        "DrafterSpec.lookupThenDraft(k) has the same defaults");
  }

  @Test
  void lookupSettersOverrideTheDefaults() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true))
            .drafter("lookup")
            .draftTokens(8)
            .ngramMax(5)
            .ngramMin(2)
            .branches(3)
            .build();

    assertEquals(DrafterSpec.lookup(5, 2, 8, 3), options.drafter());
    assertEquals(
        new LookupConfig(5, 2, 8, 3, 64), ((DrafterSpec.Lookup) options.drafter()).config());
  }

  @Test
  void defaultNgramMinIsLoweredToAGivenSmallerNgramMax() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true)).drafter("lookup+draft").ngramMax(1).build();

    assertEquals(DrafterSpec.lookupThenDraft(1, 1, 6, 1), options.drafter());
  }

  @Test
  void everyDrafterNameBuildsASpecOfThatName() {
    for (String name : DecodeOptions.DRAFTERS) {
      DecodeOptions options = DecodeOptions.defaultsFor(bundle(true)).drafter(name).build();
      assertEquals(name, options.drafter().name());
    }
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> DecodeOptions.defaultsFor(bundle(true)).drafter("eagle"));
    assertEquals(
        "unknown drafter 'eagle': expected one of none, draft, lookup, lookup+draft, mtp, medusa",
        unknown.getMessage());
  }

  @Test
  void lookupSettingsAreDroppedForDraftersThatDoNotLookUp() {
    DecodeOptions draft =
        DecodeOptions.defaultsFor(bundle(true)).drafter("draft").branches(3).build();
    DecodeOptions plain =
        DecodeOptions.defaultsFor(bundle(true)).drafter("lookup").draftTokens(0).build();

    assertEquals(DrafterSpec.draftModel(6), draft.drafter());
    assertEquals(DrafterSpec.none(), plain.drafter(), "k = 0 is plain decoding");
  }

  @Test
  void rejectsBadLookupSettingsNamingThem() {
    DecodeOptions.Builder lookup = DecodeOptions.defaultsFor(bundle(true)).drafter("lookup");
    IllegalArgumentException min =
        assertThrows(IllegalArgumentException.class, () -> lookup.ngramMin(0).build());
    assertEquals("ngram-min must be >= 1, was 0", min.getMessage());
    IllegalArgumentException max =
        assertThrows(IllegalArgumentException.class, () -> lookup.ngramMin(3).ngramMax(2).build());
    assertEquals("ngram-max must be in [ngram-min, 16] = [3, 16], was 2", max.getMessage());
    IllegalArgumentException branches =
        assertThrows(
            IllegalArgumentException.class,
            () -> lookup.ngramMin(1).ngramMax(3).branches(7).draftTokens(6).build());
    assertEquals(
        "branches (7) must be <= draft tokens per step k (6): each branch takes at least one draft"
            + " token",
        branches.getMessage());
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> lookup.branches(0).build());
    assertEquals("branches must be >= 1, was 0", none.getMessage());
  }

  @Test
  void theOptionsRejectWhatTheDrafterSpecCannotSee() {
    SamplingConfig sampled = new SamplingConfig(0.7, 40, 0.9);
    IllegalArgumentException greedy =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DecodeOptions(
                    DrafterSpec.draftModel(4),
                    sampled,
                    0,
                    8,
                    Optional.of(AcceptanceRule.greedy()),
                    BudgetMode.FIXED));
    assertTrue(greedy.getMessage().startsWith("greedy acceptance needs temperature 0"));
    IllegalArgumentException auto =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new DecodeOptions(
                    DrafterSpec.none(), sampled, 0, 8, Optional.empty(), BudgetMode.AUTO));
    assertTrue(auto.getMessage().contains("drafter none drafts nothing"), auto.getMessage());
  }
}
