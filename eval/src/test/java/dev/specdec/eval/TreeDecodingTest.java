package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.DrafterSpec;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.tree.TreeSpec;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tree drafters through {@link DecodeOptions} and {@link BundleDecoder} on test-tiny. */
class TreeDecodingTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  private static DecodeOptions.Builder options() throws BundleException {
    // Fixed budgets: the tests look at what the trees draft, not whether it pays.
    return DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY)).budget(BudgetMode.FIXED);
  }

  @Test
  void medusaDefaultsToTheSmallShippedTreeAndItsSizeAsK() throws Exception {
    DecodeOptions medusa = options().drafter("medusa").build();
    assertEquals(Optional.of(TreeSpec.parse(DrafterSpec.DEFAULT_MEDUSA_TREE)), medusa.tree());
    assertEquals(8, medusa.draftTokens());
    DecodeOptions.Builder capped =
        options().drafter("medusa").tree(TreeSpec.parse("medusa-32")).draftTokens(12);
    assertEquals(12, capped.build().draftTokens(), "an explicit k caps the tree");
  }

  @Test
  void aTreeGoesWithTreeDraftersOnly() throws Exception {
    DecodeOptions lookup = options().drafter("lookup").tree(TreeSpec.parse("medusa-8")).build();
    assertEquals(Optional.empty(), lookup.tree(), "the builder drops a tree the drafter ignores");
    assertEquals(
        Optional.empty(), options().drafter("mtp").tree(TreeSpec.parse("medusa-8")).build().tree());
  }

  @Test
  void greedyMedusaAndDraftTreesThroughTheBundleAreIdenticalToPlainDecoding() throws Exception {
    for (DecodeOptions options :
        new DecodeOptions[] {
          options().drafter("medusa").maxNewTokens(32).build(),
          options()
              .drafter("medusa")
              .tree(TreeSpec.parse("dynamic:budget=12,depth=4,topk=3"))
              .maxNewTokens(32)
              .build(),
          options().drafter("draft").tree(TreeSpec.parse("medusa-16")).maxNewTokens(32).build()
        }) {
      try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
        DecodeReport report = decoder.compare("To be, or not to be", s -> {});
        assertTrue(report.comparison().orElseThrow().identical(), options.toString());
        assertTrue(report.result().stats().draftedTokens() > 0, "drafted: " + options);
        assertTrue(report.toJson().contains("\"tree\""), "the report names the tree");
      }
    }
  }

  @Test
  void benchSpecRoundTripsADynamicTree() throws Exception {
    BenchConfig config =
        BenchConfig.parse("m", "drafter=medusa,tree=dynamic:budget=8;depth=3;topk=2", options());
    assertEquals(new TreeSpec.Dynamic(8, 3, 2), config.options().tree().orElseThrow());
    assertEquals(config.options(), BenchConfig.parse("m", config.spec(), options()).options());
  }
}
