package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.DrafterSpec;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.BudgetPolicy;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adaptive budgets through {@link DecodeOptions}, specs and {@link BundleDecoder} on test-tiny. */
class AdaptiveBundleDecodingTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  private static DecodeOptions.Builder options() throws BundleException {
    return DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY)).maxNewTokens(40);
  }

  @Test
  void greedyDecodingWithAdaptiveBudgetsIsIdenticalToPlainForEveryDrafter() throws Exception {
    for (DecodeOptions options :
        new DecodeOptions[] {
          options().drafter("draft").draftTokens(6).budget(BudgetMode.AUTO).build(),
          options()
              .drafter("draft")
              .tree(TreeSpec.parse("medusa-16"))
              .budget(BudgetMode.AUTO)
              .build(),
          options().drafter("medusa").budget(BudgetMode.AUTO).build(),
          options()
              .drafter("medusa")
              .tree(TreeSpec.parse("dynamic:budget=12,depth=4,topk=3"))
              .budget(BudgetMode.AUTO)
              .build(),
          options().drafter("mtp").draftTokens(4).budget(BudgetMode.AUTO).build(),
          options()
              .drafter("mtp")
              .draftTokens(8)
              .mtpBranches(2)
              .depth(4)
              .budget(BudgetMode.AUTO)
              .build(),
          options().drafter("lookup").draftTokens(8).budget(BudgetMode.AUTO).build(),
          options().drafter("lookup+draft").draftTokens(6).budget(BudgetMode.AUTO).build()
        }) {
      try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
        BudgetPolicy.Auto auto = assertInstanceOf(BudgetPolicy.Auto.class, decoder.budget());
        assertEquals(
            options.drafter() instanceof DrafterSpec.DraftModel
                || options.drafter() instanceof DrafterSpec.LookupThenDraft,
            auto.draft().isPresent(),
            "a draft-model chain knows its per-draft cost: " + options);
        for (String prompt : new String[] {"To be, or not to be", "public static void main("}) {
          DecodeReport report = decoder.compare(prompt, s -> {});
          assertTrue(report.comparison().orElseThrow().identical(), options + " on " + prompt);
        }
      }
    }
  }

  @Test
  void theProbedCostIsCachedUnderTheModelsKey() throws Exception {
    DecodeOptions options =
        options().drafter("draft").draftTokens(4).budget(BudgetMode.AUTO).build();
    PassCost first;
    try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
      first = ((BudgetPolicy.Auto) decoder.budget()).target();
    }
    PassCostCache cache = PassCostCache.user();
    assertTrue(Files.isRegularFile(cache.file(first.key())), "saved: " + cache.file(first.key()));
    assertTrue(
        first
            .key()
            .startsWith(TEST_TINY.resolve("target.onnx").toAbsolutePath().normalize().toString()));
    Map<String, PassCost> costs =
        PassCosts.measure(
            ModelBundle.load(TEST_TINY), Device.cpu(), EngineOptions.defaults(), false);
    assertEquals(first.key(), costs.get("target").key());
    assertTrue(costs.containsKey("draft"));
    assertTrue(PassCosts.toText(costs).contains("ms @P="), PassCosts.toText(costs));
    assertTrue(PassCosts.toJson(costs).contains("\"nanos\""));
  }

  @Test
  void aSpecSetsTheBudgetAndWritesItBack() throws Exception {
    BenchConfig auto = BenchConfig.parse("a=drafter=draft,k=6,budget=auto", options());
    assertEquals(BudgetMode.AUTO, auto.options().budget());
    assertTrue(auto.spec().endsWith(",budget=auto"), auto.spec());
    assertEquals(auto.options(), BenchConfig.parse("b", auto.spec(), options()).options());
    BenchConfig fixed = BenchConfig.parse("f=drafter=draft,k=6,budget=fixed", options());
    assertEquals(BudgetMode.FIXED, fixed.options().budget());
    assertTrue(fixed.spec().endsWith(",budget=fixed"), fixed.spec());
    assertEquals(fixed.options(), BenchConfig.parse("g", fixed.spec(), options()).options());
    assertEquals(
        BudgetMode.AUTO,
        BenchConfig.parse("u=drafter=draft,k=6", options()).options().budget(),
        "greedy decoding is adaptive unless told otherwise");
    assertEquals(
        BudgetMode.FIXED,
        BenchConfig.parse("s=drafter=draft,k=6,temperature=0.8", options()).options().budget(),
        "sampling stays fixed, so that a seed reproduces its output");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchConfig.parse("x=drafter=draft,budget=sometimes", options()));
    assertTrue(e.getMessage().contains("expected one of [fixed, auto]"), e.getMessage());
    assertEquals(
        BudgetMode.FIXED,
        BenchConfig.parse("p=drafter=none,budget=auto", options()).options().budget(),
        "plain decoding has nothing to budget");
  }
}
