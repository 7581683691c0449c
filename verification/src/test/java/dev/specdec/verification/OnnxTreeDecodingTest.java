package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeShapes;
import dev.specdec.tree.TreeSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tree drafters (Medusa heads, draft-model trees) on the committed ONNX test models: one target
 * pass per tree, commits of non-contiguous accepted paths into the target's and the draft's caches.
 */
class OnnxTreeDecodingTest {
  private static final Path BUNDLE = TestSupport.root().resolve("models/test-tiny");
  private static Engine engine;
  private static CausalLm target;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = engine.loadCausalLm(BUNDLE.resolve("target.onnx"), Device.cpu());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  /** Every shipped shape and a few dynamic trees. */
  private static List<TreeSpec> trees() {
    List<TreeSpec> specs = new ArrayList<>();
    for (String name : TreeShapes.SHIPPED) {
      specs.add(TreeSpec.parse(name));
    }
    specs.add(TreeSpec.parse("dynamic:budget=8,depth=4,topk=3"));
    specs.add(TreeSpec.parse("dynamic:budget=16,depth=3,topk=4"));
    specs.add(TreeSpec.parse("dynamic:budget=5,depth=2,topk=8"));
    return specs;
  }

  private static DecodeResult decode(Drafter drafter, int k, int[] prompt, int n) {
    SpeculativeDecoder decoder =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .sampling(SamplingConfig.greedy())
            .draftTokens(k)
            .build();
    return decoder.generate(prompt, GenerationRequest.of(n, 0), t -> {});
  }

  private static MedusaHeads medusaHeads() throws Exception {
    return engine.loadMedusaHeads(BUNDLE.resolve("medusa.onnx"), Device.cpu());
  }

  private static CausalLm draft() throws Exception {
    return engine.loadCausalLm(BUNDLE.resolve("draft.onnx"), Device.cpu());
  }

  @Test
  void greedyMedusaTreesAreTokenIdenticalToPlainGreedyForEveryShippedAndDynamicTree()
      throws Exception {
    SplittableRandom random = new SplittableRandom(41);
    long medusaAccepted = 0;
    for (int p = 0; p < 4; p++) {
      int[] prompt = TestSupport.randomPrompt(random, 1 + random.nextInt(30));
      int[] plain = decode(Drafter.none(), 0, prompt, 40).tokens();
      for (TreeSpec spec : trees()) {
        try (Drafter drafter = Drafter.medusa(medusaHeads(), spec)) {
          DecodeResult result = decode(drafter, spec.maxDrafts(), prompt, 40);
          assertArrayEquals(plain, result.tokens(), "prompt " + p + ", " + spec.describe());
          assertTrue(result.stats().draftedTokens() > 0, "the heads drafted");
          medusaAccepted += result.stats().acceptedTokens();
        }
      }
    }
    assertTrue(medusaAccepted > 0, "some Medusa drafts were accepted (commits of tree paths ran)");
  }

  @Test
  void greedyDraftModelTreesAreTokenIdenticalToPlainGreedyForEveryShippedAndDynamicTree()
      throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    long acceptedDeep = 0;
    for (int p = 0; p < 4; p++) {
      int[] prompt = TestSupport.randomPrompt(random, 1 + random.nextInt(30));
      int[] plain = decode(Drafter.none(), 0, prompt, 40).tokens();
      for (TreeSpec spec : trees()) {
        try (Drafter drafter = Drafter.draftModelTree(draft(), spec)) {
          DecodeResult result = decode(drafter, spec.maxDrafts(), prompt, 40);
          assertArrayEquals(plain, result.tokens(), "prompt " + p + ", " + spec.describe());
          long[] byPosition = result.stats().acceptedByPosition();
          acceptedDeep += byPosition.length > 1 ? byPosition[1] : 0;
        }
      }
    }
    assertTrue(acceptedDeep > 0, "some steps accepted two or more drafts (deep commits ran)");
  }

  @Test
  void draftTreeOfAChainDraftsWhatTheChainDrafterDrafts() throws Exception {
    // Same drafts => same accepted counts per step: the tree drafter's level-by-level passes and
    // gathered commits leave its cache as the chain drafter's sequential passes do.
    SplittableRandom random = new SplittableRandom(43);
    for (int p = 0; p < 4; p++) {
      int[] prompt = TestSupport.randomPrompt(random, 2 + random.nextInt(30));
      DecodeResult chain;
      try (Drafter drafter =
          Drafter.draftModel(draft(), SamplingConfig.greedy(), 4, new SplittableRandom(0))) {
        chain = decode(drafter, 4, prompt, 48);
      }
      DecodeResult tree;
      try (Drafter drafter = Drafter.draftModelTree(draft(), TreeSpec.parse("chain-4"))) {
        tree = decode(drafter, 4, prompt, 48);
      }
      assertArrayEquals(chain.tokens(), tree.tokens());
      assertEquals(chain.stats().targetPasses(), tree.stats().targetPasses(), "prompt " + p);
      assertArrayEquals(
          chain.stats().acceptedByPosition(), tree.stats().acceptedByPosition(), "prompt " + p);
    }
  }
}
