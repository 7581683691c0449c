package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.LookupConfig;
import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
        new DecodeOptions(DrafterKind.DRAFT, 6, new SamplingConfig(0.7, 40, 0.9), 0, 32), options);
    assertInstanceOf(AcceptanceRule.RejectionSampling.class, options.rule());
  }

  @Test
  void bundleWithoutDraftDefaultsToPlainDecoding() {
    DecodeOptions options = DecodeOptions.defaultsFor(bundle(false)).build();

    assertEquals(DrafterKind.NONE, options.drafter());
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

    assertEquals(new DecodeOptions(DrafterKind.DRAFT, 3, SamplingConfig.greedy(), 42, 8), options);
    assertInstanceOf(AcceptanceRule.Greedy.class, options.rule());
  }

  @Test
  void zeroDraftTokensMeansPlainDecodingAndNoneDraftsNothing() {
    assertEquals(
        DrafterKind.NONE, DecodeOptions.defaultsFor(bundle(true)).draftTokens(0).build().drafter());
    assertEquals(
        0,
        DecodeOptions.defaultsFor(bundle(true))
            .drafter(DrafterKind.NONE)
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
    assertThrows(
        IllegalArgumentException.class,
        () -> new DecodeOptions(DrafterKind.DRAFT, 0, SamplingConfig.greedy(), 0, 8));
  }

  @Test
  void lookupDefaultsToNgramsOfOneToThreeInAChain() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(false)).drafter(DrafterKind.LOOKUP).build();

    assertEquals(DrafterKind.LOOKUP, options.drafter());
    assertEquals(6, options.draftTokens(), "the bundle's k");
    assertEquals(Optional.of(new DecodeOptions.Lookup(3, 1, 1)), options.lookup());
    assertEquals(new LookupConfig(3, 1, 6, 1, 64), options.lookup().get().config(6));
  }

  @Test
  void lookupThenDraftDefaultsToAMinimumMatchOfTwo() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true)).drafter(DrafterKind.LOOKUP_DRAFT).build();

    assertEquals(Optional.of(new DecodeOptions.Lookup(3, 2, 1)), options.lookup());
    assertEquals(
        options,
        new DecodeOptions(DrafterKind.LOOKUP_DRAFT, 6, new SamplingConfig(0.7, 40, 0.9), 0, 32),
        "the short constructor fills in the same defaults");
  }

  @Test
  void lookupSettersOverrideTheDefaults() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true))
            .drafter(DrafterKind.LOOKUP)
            .draftTokens(8)
            .ngramMax(5)
            .ngramMin(2)
            .branches(3)
            .build();

    assertEquals(Optional.of(new DecodeOptions.Lookup(5, 2, 3)), options.lookup());
    assertEquals(new LookupConfig(5, 2, 8, 3, 64), options.lookup().get().config(8));
  }

  @Test
  void defaultNgramMinIsLoweredToAGivenSmallerNgramMax() {
    DecodeOptions options =
        DecodeOptions.defaultsFor(bundle(true))
            .drafter(DrafterKind.LOOKUP_DRAFT)
            .ngramMax(1)
            .build();

    assertEquals(Optional.of(new DecodeOptions.Lookup(1, 1, 1)), options.lookup());
  }

  @Test
  void drafterKindsAreNamedAsTheirDrafters() {
    assertEquals(
        List.of("none", "draft", "lookup", "lookup+draft", "mtp", "medusa"),
        Arrays.stream(DrafterKind.values()).map(DrafterKind::toString).toList());
  }

  @Test
  void lookupSettingsAreDroppedForDraftersThatDoNotLookUp() {
    DecodeOptions draft =
        DecodeOptions.defaultsFor(bundle(true)).drafter(DrafterKind.DRAFT).branches(3).build();
    DecodeOptions plain =
        DecodeOptions.defaultsFor(bundle(true)).drafter(DrafterKind.LOOKUP).draftTokens(0).build();

    assertEquals(Optional.empty(), draft.lookup());
    assertEquals(DrafterKind.NONE, plain.drafter(), "k = 0 is plain decoding");
    assertEquals(Optional.empty(), plain.lookup());
  }

  @Test
  void rejectsBadLookupSettingsNamingThem() {
    DecodeOptions.Builder lookup =
        DecodeOptions.defaultsFor(bundle(true)).drafter(DrafterKind.LOOKUP);
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
    assertEquals("branches must be in [1, 64], was 0", none.getMessage());
  }

  @Test
  void lookupSettingsGoWithTheLookupDraftersOnly() {
    SamplingConfig greedy = SamplingConfig.greedy();
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DecodeOptions(DrafterKind.LOOKUP, 4, greedy, 0, 8, Optional.empty()));
    assertTrue(
        missing.getMessage().contains("drafter lookup was given none"), missing.getMessage());
    Optional<DecodeOptions.Lookup> lookup = Optional.of(new DecodeOptions.Lookup(3, 1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DecodeOptions(DrafterKind.DRAFT, 4, greedy, 0, 8, lookup));
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DecodeOptions(DrafterKind.LOOKUP_DRAFT, 0, greedy, 0, 8, lookup));
    assertTrue(zero.getMessage().contains("lookup+draft drafter needs k >= 1"), zero.getMessage());
  }
}
