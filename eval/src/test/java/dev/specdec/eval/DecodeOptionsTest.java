package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
