package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.model.CausalLm;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.SpeculativeDecoder;
import dev.specdec.verification.StopReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade on the committed test bundle: exactness per drafter, streaming, stops, misuse. */
class SpecDecoderTest {
  private static final String PROMPT = "public final class Range {";

  /** Fixed budgets: the tests look at what each drafter drafts (one sets auto explicitly). */
  private static final GenerateOptions GREEDY =
      GenerateOptions.defaults().maxNewTokens(40).budget(Budget.FIXED);

  private static SpecDecoder decoder;

  @BeforeAll
  static void open() throws Exception {
    decoder = SpecDecoder.open(TestBundles.testTiny());
  }

  @AfterAll
  static void close() {
    decoder.close();
  }

  @Test
  void greedyOutputOfEveryDrafterIsTokenIdenticalToPlainDecoding() {
    Generation plain = decoder.generate(PROMPT, GREEDY.drafter(DrafterSpec.none()));
    assertEquals(0, plain.stats().draftingSteps());
    List<DrafterSpec> drafters =
        List.of(
            DrafterSpec.draftModel(4),
            DrafterSpec.draftTree(TreeSpec.parse("medusa-8")),
            DrafterSpec.medusa(),
            DrafterSpec.mtp(2, 2),
            DrafterSpec.lookup(8),
            DrafterSpec.lookup(3, 1, 8, 2),
            DrafterSpec.lookupThenDraft(4));
    for (DrafterSpec drafter : drafters) {
      Generation g = decoder.generate(PROMPT, GREEDY.drafter(drafter));
      assertArrayEquals(plain.tokens(), g.tokens(), drafter.toString());
      assertEquals(plain.text(), g.text(), drafter.toString());
      assertEquals(plain.stopReason(), g.stopReason(), drafter.toString());
      if (!(drafter instanceof DrafterSpec.Lookup)) {
        assertTrue(g.stats().draftingSteps() > 0, drafter + " drafted");
      }
    }
  }

  @Test
  void greedyOutputWithAdaptiveBudgetsIsTokenIdenticalToPlainDecodingForEveryDrafter() {
    Generation plain = decoder.generate(PROMPT, GREEDY.drafter(DrafterSpec.none()));
    for (DrafterSpec drafter :
        List.of(
            DrafterSpec.draftModel(6),
            DrafterSpec.draftTree(TreeSpec.parse("medusa-16")),
            DrafterSpec.medusa(),
            DrafterSpec.mtp(3, 2),
            DrafterSpec.lookup(8),
            DrafterSpec.lookupThenDraft(4),
            DrafterSpec.none())) {
      GenerateOptions options = GREEDY.drafter(drafter).budget(Budget.AUTO);
      assertEquals(Optional.of(Budget.AUTO), options.budget());
      Generation g = decoder.generate(PROMPT, options);
      assertArrayEquals(plain.tokens(), g.tokens(), drafter.toString());
      assertEquals(plain.text(), g.text(), drafter.toString());
    }
  }

  @Test
  void engineOptionsOfTheProcessPoolGiveTheSameGeneration() throws Exception {
    // The process's pool is fixed by its first engine: ask for what the defaults resolve to.
    EngineOptions pool = new EngineOptions(Runtime.getRuntime().availableProcessors(), false);
    try (SpecDecoder other = SpecDecoder.open(TestBundles.testTiny(), Device.cpu(), pool)) {
      Generation expected = decoder.generate(PROMPT, GREEDY);
      Generation g = other.generate(PROMPT, GREEDY);
      assertArrayEquals(expected.tokens(), g.tokens());
      assertEquals(expected.text(), g.text());
    }
  }

  @Test
  void theBundlesDefaultsApplyWhenNothingIsSet() {
    Generation g = decoder.generate(PROMPT, GenerateOptions.defaults());
    // test-tiny: 64 new tokens, greedy, the draft model with k = 4.
    assertEquals(StopReason.MAX_NEW_TOKENS, g.stopReason());
    assertEquals(64, g.tokens().length);
    assertEquals(4, g.stats().draftedByPosition().length);
    assertArrayEquals(
        decoder
            .generate(PROMPT, GenerateOptions.defaults().drafter(DrafterSpec.draftModel(4)))
            .tokens(),
        g.tokens());
  }

  @Test
  void streamedTextConcatenatedIsTheTextAndDecodesTheTokens() {
    StringBuilder streamed = new StringBuilder();
    Generation g = decoder.generate(PROMPT, GREEDY, streamed::append);
    assertEquals(g.text(), streamed.toString());
    String decoded = decoder.tokenizer().decode(g.tokens());
    if (!decoded.contains("\uFFFD")) {
      assertEquals(decoded, g.text());
    }
    assertEquals(StopReason.MAX_NEW_TOKENS, g.stopReason());
    assertEquals(40, g.tokens().length);
  }

  @Test
  void aStopStringEndsTheTextBeforeItAndIsNeverStreamed() {
    Generation full = decoder.generate(PROMPT, GREEDY);
    String text = full.text();
    // A stop string from the middle of the greedy text: its first occurrence ends the new text.
    String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
    int at = text.indexOf(stop);
    List<String> chunks = new ArrayList<>();
    Generation g = decoder.generate(PROMPT, GREEDY.stopStrings("\u0000never", stop), chunks::add);
    assertEquals(StopReason.STOP_STRING, g.stopReason());
    assertEquals(text.substring(0, at), g.text());
    assertEquals(g.text(), String.join("", chunks));
    assertFalse(String.join("", chunks).contains(stop));
    assertTrue(g.tokens().length < full.tokens().length, "generation ended early");
    int[] prefix = java.util.Arrays.copyOf(full.tokens(), g.tokens().length);
    assertArrayEquals(prefix, g.tokens(), "the tokens up to the one completing the stop string");
    assertTrue(decoder.tokenizer().decode(g.tokens()).contains(stop));
  }

  @Test
  void seededSamplingEqualsTheHandWiredDecoderWithTheSameSeeds() throws Exception {
    long seed = 17;
    GenerateOptions sampled =
        GREEDY.temperature(0.9).topK(50).seed(seed).drafter(DrafterSpec.draftModel(3));
    Generation g = decoder.generate(PROMPT, sampled);
    assertArrayEquals(g.tokens(), decoder.generate(PROMPT, sampled).tokens(), "reproducible");
    assertNotEquals(
        java.util.Arrays.toString(g.tokens()),
        java.util.Arrays.toString(decoder.generate(PROMPT, sampled.seed(seed + 1)).tokens()));
    // The README's former 19-line recipe, by hand, with the seeds the facade documents.
    Path tiny = TestBundles.testTiny();
    SamplingConfig sampling = new SamplingConfig(0.9, 50, 1.0);
    try (Engine engine = Engine.create();
        TextTokenizer tokenizer = engine.loadTokenizer(tiny.resolve("tokenizer.json"));
        CausalLm target = engine.loadCausalLm(tiny.resolve("target.onnx"), Device.cpu());
        Drafter drafter =
            Drafter.draftModel(
                engine.loadCausalLm(tiny.resolve("draft.onnx"), Device.cpu()),
                sampling,
                3,
                new Random(seed ^ 0x9E3779B97F4A7C15L))) {
      int[] text = tokenizer.encode(PROMPT);
      int[] prompt = new int[text.length + 1];
      prompt[0] = target.info().bosTokenId();
      System.arraycopy(text, 0, prompt, 1, text.length);
      DecodeResult expected =
          SpeculativeDecoder.builder(target)
              .drafter(drafter)
              .sampling(sampling)
              .draftTokens(3)
              .build()
              .generate(
                  prompt, GenerationRequest.of(40, seed, target.info().eosTokenId()), t -> {});
      assertArrayEquals(expected.tokens(), g.tokens());
    }
  }

  @Test
  void anEmptyPromptIsBosAlone() {
    Generation g = decoder.generate("", GREEDY.maxNewTokens(5));
    assertEquals(5, g.tokens().length);
  }

  @Test
  void aDrafterTheBundleCannotRunIsRejectedListingWhatItCan(@TempDir Path dir) throws Exception {
    try (SpecDecoder plain = SpecDecoder.open(TestBundles.targetOnly(dir))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> plain.generate(PROMPT, GREEDY.drafter(DrafterSpec.medusa())));
      assertTrue(
          e.getMessage()
              .contains("has no Medusa heads, which drafter medusa needs; it has: none, lookup"),
          e.getMessage());
      // Without a draft model the default drafter is plain decoding; the bundle says 12 tokens.
      Generation g = plain.generate(PROMPT, GenerateOptions.defaults());
      assertEquals(0, g.stats().draftingSteps());
      assertEquals(12, g.tokens().length);
    }
  }

  @Test
  void theTokenizerStaysTheDecodersAndAClosedDecoderRefusesWork() throws Exception {
    SpecDecoder own = SpecDecoder.open(TestBundles.testTiny());
    TextTokenizer tokenizer = own.tokenizer();
    tokenizer.close(); // does nothing: the decoder owns it
    assertEquals(PROMPT, tokenizer.decode(tokenizer.encode(PROMPT)));
    own.generate(PROMPT, GREEDY.maxNewTokens(2));
    own.close();
    own.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> own.generate(PROMPT, GREEDY));
    assertEquals("SpecDecoder of bundle 'test-tiny' is closed", e.getMessage());
    assertThrows(IllegalStateException.class, () -> tokenizer.encode(PROMPT));
  }

  @Test
  void aPromptLongerThanTheContextIsRejected() {
    String longPrompt = "x ".repeat(400);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> decoder.generate(longPrompt, GREEDY));
    assertTrue(e.getMessage().contains("does not fit the model's context"), e.getMessage());
    // The decoder is fine afterwards.
    assertEquals(3, decoder.generate(PROMPT, GREEDY.maxNewTokens(3)).tokens().length);
  }
}
