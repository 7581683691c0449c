package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class GenerateOptionsTest {
  private static final GenerationDefaults BUNDLE = new GenerationDefaults(128, 0.0, 0, 1.0, 4);

  @Test
  void settersReturnNewOptionsAndLeaveTheOriginalAsItWas() {
    GenerateOptions base = GenerateOptions.defaults();
    GenerateOptions more = base.maxNewTokens(7).seed(3).stopStrings("}");
    assertNotSame(base, more);
    assertEquals(OptionalInt.empty(), base.maxNewTokens());
    assertEquals(List.of(), base.stopStrings());
    assertEquals(OptionalInt.of(7), more.maxNewTokens());
    assertEquals(3, more.seed());
    assertEquals(List.of("}"), more.stopStrings());
    assertEquals(GenerateOptions.defaults().maxNewTokens(7).seed(3).stopStrings("}"), more);
  }

  @Test
  void unsetSettingsTakeTheBundlesDefaultsAndTheDraftModelWhenThereIsOne() {
    Settings settings = GenerateOptions.defaults().resolve(BUNDLE, true);
    assertEquals(128, settings.maxNewTokens());
    assertEquals(SamplingConfig.greedy(), settings.sampling());
    assertEquals(DrafterSpec.draftModel(4), settings.drafter());
    assertEquals(AcceptanceRule.greedy(), settings.rule());
    assertEquals(0, settings.seed());
    assertEquals(DrafterSpec.none(), GenerateOptions.defaults().resolve(BUNDLE, false).drafter());
    GenerationDefaults plain = new GenerationDefaults(16, 0.0, 0, 1.0, 0);
    assertEquals(DrafterSpec.none(), GenerateOptions.defaults().resolve(plain, true).drafter());
  }

  @Test
  void unsetBudgetIsAdaptiveWhenGreedyAndFixedWhenSampling() {
    assertEquals(Budget.AUTO, GenerateOptions.defaults().resolve(BUNDLE, true).budget());
    assertEquals(
        Budget.FIXED, GenerateOptions.defaults().temperature(0.8).resolve(BUNDLE, true).budget());
    assertEquals(
        Budget.FIXED,
        GenerateOptions.defaults().budget(Budget.FIXED).resolve(BUNDLE, true).budget());
    assertEquals(
        Budget.AUTO,
        GenerateOptions.defaults()
            .temperature(0.8)
            .budget(Budget.AUTO)
            .resolve(BUNDLE, true)
            .budget());
    assertEquals(Optional.empty(), GenerateOptions.defaults().budget());
  }

  @Test
  void aTemperatureSelectsRejectionSamplingUnlessARuleIsGiven() {
    Settings sampled =
        GenerateOptions.defaults().temperature(0.8).topK(40).topP(0.9).resolve(BUNDLE, true);
    assertEquals(new SamplingConfig(0.8, 40, 0.9), sampled.sampling());
    assertEquals(AcceptanceRule.rejectionSampling(), sampled.rule());
    Settings typical =
        GenerateOptions.defaults()
            .temperature(0.8)
            .acceptance(AcceptanceRule.typical())
            .resolve(BUNDLE, true);
    assertEquals(AcceptanceRule.typical(), typical.rule());
  }

  @Test
  void greedyAcceptanceWithATemperatureIsRejectedWhenResolved() {
    GenerateOptions options =
        GenerateOptions.defaults().temperature(0.5).acceptance(AcceptanceRule.greedy());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> options.resolve(BUNDLE, true));
    assertTrue(e.getMessage().startsWith("greedy acceptance needs temperature 0"), e.getMessage());
  }

  @Test
  void settersRejectInvalidValuesNamingTheSetting() {
    GenerateOptions d = GenerateOptions.defaults();
    assertEquals(
        "maxNewTokens must be >= 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> d.maxNewTokens(0)).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> d.temperature(-1))
            .getMessage()
            .startsWith("temperature must be a finite number >= 0"));
    assertThrows(IllegalArgumentException.class, () -> d.temperature(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> d.topK(-1));
    assertThrows(IllegalArgumentException.class, () -> d.topP(0));
    assertEquals(
        "stop string 1 is empty: an empty string would stop before the first token",
        assertThrows(IllegalArgumentException.class, () -> d.stopStrings("a", "")).getMessage());
    assertThrows(NullPointerException.class, () -> d.drafter(null));
  }
}
