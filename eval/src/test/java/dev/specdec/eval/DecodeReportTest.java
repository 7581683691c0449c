package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.specdec.DrafterSpec;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StopReason;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecodeReportTest {
  private static final int[] TOKENS = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  private static final DecodeOptions GREEDY =
      new DecodeOptions(DrafterSpec.draftModel(4), SamplingConfig.greedy(), 7, 10);
  private static final DecodeOptions SAMPLED =
      new DecodeOptions(DrafterSpec.draftModel(4), new SamplingConfig(0.8, 50, 0.95), 7, 10);

  /** 4 drafting steps of k = 4 accepting 2, 4, 0 and 0 drafts: 6 of 16, τ = 2.5. */
  private static DecodeResult speculative() {
    return Results.result(TOKENS, 4, 4, 16, 6, new long[] {2, 2, 1, 1}, 10);
  }

  private static DecodeReport report(DecodeOptions options, Optional<Comparison> comparison) {
    return new DecodeReport(
        "test-tiny",
        "hello",
        new int[] {1, 5, 9},
        speculative(),
        options,
        options.rule().name(),
        comparison);
  }

  private static JsonObject parse(DecodeReport report) {
    return JsonParser.parseString(report.toJson()).getAsJsonObject();
  }

  @Test
  void jsonHoldsTheTextTokensStatsAndSettings() {
    JsonObject json = parse(report(GREEDY, Optional.empty()));

    assertEquals("hello", json.get("text").getAsString());
    JsonArray ids = json.getAsJsonArray("tokenIds");
    assertEquals(10, ids.size());
    assertEquals(5, ids.get(0).getAsInt());
    assertEquals(14, ids.get(9).getAsInt());
    assertEquals(3, json.get("promptTokens").getAsInt());
    assertEquals("[1,5,9]", json.get("promptTokenIds").toString());
    assertEquals(10, json.get("newTokens").getAsInt());
    assertEquals(4, json.get("targetPasses").getAsInt());
    assertEquals(2.5, json.get("meanAcceptedLength").getAsDouble(), 1e-12);
    assertEquals(6.0 / 16, json.get("acceptanceRate").getAsDouble(), 1e-12);
    JsonArray byPosition = json.getAsJsonArray("acceptanceByPosition");
    assertEquals(4, byPosition.size());
    assertEquals(0.5, byPosition.get(0).getAsDouble(), 1e-12);
    assertEquals(0.25, byPosition.get(3).getAsDouble(), 1e-12);
    assertEquals(1000.0, json.get("tokensPerSecond").getAsDouble(), 1e-9);
    assertEquals("max-new-tokens", json.get("stopReason").getAsString());
    assertEquals("draft", json.get("drafter").getAsString());
    assertEquals(4, json.get("draftTokens").getAsInt());
    assertEquals(0.0, json.get("temperature").getAsDouble());
    assertEquals("greedy", json.get("rule").getAsString());
    assertEquals(7, json.get("seed").getAsLong());
    for (String key : List.of("baselineTokensPerSecond", "speedup", "identicalToBaseline")) {
      assertFalse(json.has(key), key);
    }
  }

  @Test
  void jsonWithAComparisonAddsBaselineSpeedupAndIdentity() {
    Comparison comparison = new Comparison(speculative(), Results.plain(TOKENS, 25));
    JsonObject json = parse(report(GREEDY, Optional.of(comparison)));

    assertEquals(400.0, json.get("baselineTokensPerSecond").getAsDouble(), 1e-9);
    assertEquals(2.5, json.get("speedup").getAsDouble(), 1e-12);
    assertTrue(json.get("identicalToBaseline").getAsBoolean());
    assertEquals(10, json.get("baselineTargetPasses").getAsInt());
  }

  @Test
  void lookupReportsItsSettingsOthersDoNot() {
    DecodeOptions lookup =
        new DecodeOptions(DrafterSpec.lookupThenDraft(4, 2, 4, 3), SamplingConfig.greedy(), 7, 10);
    JsonObject json = parse(report(lookup, Optional.empty()));

    assertEquals("lookup+draft", json.get("drafter").getAsString());
    assertEquals(4, json.get("ngramMax").getAsInt());
    assertEquals(2, json.get("ngramMin").getAsInt());
    assertEquals(3, json.get("branches").getAsInt());
    assertTrue(
        report(lookup, Optional.empty())
            .toText()
            .contains("(drafter lookup+draft, k = 4, n-grams 2..4, 3 branches; greedy)"));
    JsonObject draft = parse(report(GREEDY, Optional.empty()));
    for (String key : List.of("ngramMax", "ngramMin", "branches")) {
      assertFalse(draft.has(key), key);
    }
  }

  @Test
  void nonFiniteNumbersBecomeNull() {
    DecodeResult plain = Results.plain(TOKENS, 10); // nothing drafted: acceptance rate is NaN
    DecodeOptions none = new DecodeOptions(DrafterSpec.none(), SamplingConfig.greedy(), 0, 10);
    JsonObject json =
        parse(new DecodeReport("b", "", new int[] {1}, plain, none, "greedy", Optional.empty()));

    assertTrue(json.get("acceptanceRate").isJsonNull());
    assertEquals(1.0, json.get("meanAcceptedLength").getAsDouble());
    assertEquals(0, json.getAsJsonArray("acceptanceByPosition").size());
  }

  @Test
  void textReportNamesTheMetricsAndTheOutcomeOfAGreedyComparison() {
    Comparison same = new Comparison(speculative(), Results.plain(TOKENS, 25));
    String text = report(GREEDY, Optional.of(same)).toText();

    assertTrue(text.contains("10 after a prompt of 3 (stop: max-new-tokens)"), text);
    assertTrue(text.contains("2.50 tokens per drafting step (4 steps)"), text);
    assertTrue(text.contains("37.5 % (6 of 16 drafts)"), text);
    assertTrue(text.contains("1: 50 %  2: 50 %  3: 25 %  4: 25 %"), text);
    assertTrue(text.contains("1000.0 tokens/s"), text);
    assertTrue(text.contains("400.0 tokens/s"), text);
    assertTrue(text.contains("2.50x"), text);
    assertTrue(text.contains("yes: same tokens as plain greedy decoding"), text);

    int[] other = TOKENS.clone();
    other[0] = 1;
    Comparison differs = new Comparison(speculative(), Results.plain(other, 25));
    assertTrue(
        report(GREEDY, Optional.of(differs)).toText().contains("NO: output differs"),
        "a greedy mismatch is reported");
  }

  @Test
  void textReportOfASampledRunMakesNoIdentityClaim() {
    Comparison comparison = new Comparison(speculative(), Results.plain(new int[] {1, 2}, 25));
    String text = report(SAMPLED, Optional.of(comparison)).toText();

    assertTrue(
        text.contains("rejection-sampling, temperature 0.8, top-k 50, top-p 0.95, seed 7"), text);
    assertFalse(text.contains("identical"), text);
  }

  @Test
  void rejectsAComparisonOfAnotherRun() {
    Comparison other = new Comparison(Results.plain(TOKENS, 3), Results.plain(TOKENS, 25));

    assertThrows(
        IllegalArgumentException.class,
        () ->
            new DecodeReport(
                "b", "", new int[] {1}, speculative(), GREEDY, "greedy", Optional.of(other)));
  }

  @Test
  void stopReasonsAreSpelledInLowerCaseWithHyphens() {
    assertEquals("stop-token", DecodeReport.spell(StopReason.STOP_TOKEN));
    assertEquals("context-full", DecodeReport.spell(StopReason.CONTEXT_FULL));
  }
}
