package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.verification.StopReason;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/** The whole path from text to report on the committed test bundle (models/test-tiny). */
class BundleDecoderTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  /** Fixed budgets: the tests look at what each drafter proposes and the target accepts. */
  private static DecodeOptions.Builder options() throws BundleException {
    return DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY)).budget(BudgetMode.FIXED);
  }

  @Test
  void greedyComparisonIsTokenIdenticalAndStreamsTheReportedText() throws Exception {
    DecodeOptions options = options().maxNewTokens(40).build();
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      StringBuilder streamed = new StringBuilder();
      DecodeReport report = decoder.compare("To be, or not to be", streamed::append);

      Comparison comparison = report.comparison().orElseThrow();
      assertTrue(comparison.identical(), "greedy speculative output equals plain decoding");
      assertEquals(40, report.result().tokens().length);
      assertEquals(StopReason.MAX_NEW_TOKENS, report.result().stopReason());
      assertTrue(report.result().stats().draftingSteps() > 0, "the draft model drafted");
      // Random weights emit stray byte-fallback tokens, where the streamed text may legitimately
      // differ from the final decode in replacement characters (see TextStream); so no equality.
      assertTrue(streamed.length() > 0, "text was streamed");
      assertEquals(decoder.promptTokens("To be, or not to be").length, report.promptTokens());
    }
  }

  @Test
  void promptGetsBosInFront() throws Exception {
    try (BundleDecoder decoder =
        BundleDecoder.open(TEST_TINY, Device.cpu(), options().drafter("none").build())) {
      int[] ids = decoder.promptTokens("Hello");
      assertEquals(decoder.targetInfo().bosTokenId(), ids[0]);
      assertTrue(ids.length > 1);
    }
  }

  @Test
  void sameSeedSameSampledOutput() throws Exception {
    DecodeOptions options = options().temperature(1.0).seed(3).maxNewTokens(24).build();
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      int[] first = decoder.decode("Romeo", text -> {}).result().tokens();
      int[] second = decoder.decode("Romeo", text -> {}).result().tokens();
      assertArrayEquals(first, second);
    }
  }

  @Test
  void promptLongerThanTheContextIsRejectedWithTheLimit() throws Exception {
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options().build())) {
      String longPrompt = "All the world's a stage. ".repeat(200);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> decoder.decode(longPrompt, t -> {}));
      assertTrue(e.getMessage().contains("context of 256 positions"), e.getMessage());
    }
  }

  @Test
  void emptyPromptIsRejected() throws Exception {
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options().build())) {
      assertThrows(IllegalArgumentException.class, () -> decoder.decode("", t -> {}));
    }
  }

  /** A prompt that repeats itself, so that prompt lookup finds matches. */
  private static final String COPY_PROMPT =
      "public int size() { return size; }\npublic int size() {";

  @ParameterizedTest
  @CsvSource({"lookup, 1", "lookup, 3", "lookup+draft, 1", "lookup+draft, 3"})
  void greedyLookupIsTokenIdenticalToPlainDecoding(String kind, int branches) throws Exception {
    DecodeOptions options =
        options()
            .drafter(kind)
            .draftTokens(4)
            .branches(branches)
            .temperature(0)
            .maxNewTokens(48)
            .build();
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      DecodeReport report = decoder.compare(COPY_PROMPT, text -> {});

      assertTrue(report.comparison().orElseThrow().identical(), "greedy output equals plain");
      assertEquals(48, report.result().tokens().length);
      assertTrue(report.result().stats().acceptedTokens() > 0, "the lookup's copies were accepted");
      assertEquals(kind, decoder.drafterName());
      assertEquals(kind, report.toJsonObject().get("drafter").getAsString());
      assertEquals(branches, report.toJsonObject().get("branches").getAsInt());
    }
  }

  @ParameterizedTest
  @FieldSource("dev.specdec.eval.DecodeOptions#DRAFTERS")
  void reportsNameTheDrafterThatRan(String kind) throws Exception {
    DecodeOptions options = options().drafter(kind).maxNewTokens(4).build();
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      assertEquals(kind, decoder.drafterName());
      assertEquals(
          kind, decoder.decode("Hark", text -> {}).toJsonObject().get("drafter").getAsString());
    }
  }

  @Test
  void sampledLookupWithBranchesIsReproducibleForASeed() throws Exception {
    DecodeOptions options =
        options().drafter("lookup").branches(3).temperature(0.9).seed(5).maxNewTokens(32).build();
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      int[] first = decoder.decode(COPY_PROMPT, text -> {}).result().tokens();
      int[] second = decoder.decode(COPY_PROMPT, text -> {}).result().tokens();
      assertArrayEquals(first, second);
    }
  }

  private static ModelBundle withoutDraft() throws BundleException {
    ModelBundle full = ModelBundle.load(TEST_TINY);
    return new ModelBundle(
        full.root(),
        full.name(),
        full.description(),
        full.tokenizer(),
        full.target(),
        Optional.empty(),
        full.generation(),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void lookupNeedsNoDraftModel() throws Exception {
    DecodeOptions options = options().drafter("lookup").maxNewTokens(8).build();
    try (BundleDecoder decoder = BundleDecoder.open(withoutDraft(), Device.cpu(), options)) {
      assertEquals(8, decoder.decode(COPY_PROMPT, text -> {}).result().tokens().length);
    }
  }

  @Test
  void lookupThenDraftNeedsADraftModel() throws Exception {
    ModelBundle noDraft = withoutDraft();
    DecodeOptions options = options().drafter("lookup+draft").build();

    BundleException e =
        assertThrows(
            BundleException.class, () -> BundleDecoder.open(noDraft, Device.cpu(), options));
    assertTrue(e.getMessage().contains("has no draft model"), e.getMessage());
    assertTrue(e.getMessage().contains("drafter lookup+draft needs"), e.getMessage());
  }

  @Test
  void draftDrafterNeedsADraftModel() throws Exception {
    ModelBundle noDraft = withoutDraft();
    DecodeOptions options = options().drafter("draft").build();

    BundleException e =
        assertThrows(
            BundleException.class, () -> BundleDecoder.open(noDraft, Device.cpu(), options));
    assertTrue(e.getMessage().contains("has no draft model"), e.getMessage());
  }

  @Test
  void cudaOnTheCpuBuildIsAClearDeviceError() throws Exception {
    DeviceUnavailableException e =
        assertThrows(
            DeviceUnavailableException.class,
            () -> BundleDecoder.open(TEST_TINY, new Device.Cuda(0), options().build()).close());
    assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
  }
}
