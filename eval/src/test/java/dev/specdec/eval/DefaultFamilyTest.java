package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.Device;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.tree.TreeSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped default family ({@code models/specdec-java}, trained by {@code tools/train}) with
 * every drafter it carries: greedy speculative decoding is token-identical to plain greedy decoding
 * of its target, on held-out JDK code. Runs from the committed ONNX files; no Python.
 */
class DefaultFamilyTest {
  private static final Path ROOT = Path.of(System.getProperty("specdec.root", ".."));
  private static final Path FAMILY = ROOT.resolve("models/specdec-java");

  // That the launcher's default points here is checked by the cli's DefaultBundleTest.
  @Test
  void familyCarriesADraftMedusaHeadsAndAnMtpModule() throws Exception {
    ModelBundle bundle = ModelBundle.load(FAMILY);
    assertTrue(bundle.draft().isPresent(), "draft model");
    assertTrue(bundle.medusa().isPresent(), "Medusa heads");
    assertTrue(bundle.mtp().isPresent(), "MTP module");
  }

  @Test
  void everyDrafterIsTokenIdenticalToPlainGreedyOnHeldOutCode() throws Exception {
    List<BenchPrompt> prompts =
        PromptFile.read(ROOT.resolve("eval/prompts/jdk-heldout.jsonl")).subList(0, 2);
    ModelBundle bundle = ModelBundle.load(FAMILY);
    List<DecodeOptions> configs =
        List.of(
            shortRun(bundle).drafter("draft").draftTokens(4).build(),
            shortRun(bundle).drafter("draft").tree(TreeSpec.parse("medusa-8")).build(),
            shortRun(bundle).drafter("medusa").build(),
            shortRun(bundle)
                .drafter("medusa")
                .tree(TreeSpec.parse("dynamic:budget=8,depth=4,topk=2"))
                .build(),
            shortRun(bundle).drafter("mtp").draftTokens(2).build(),
            shortRun(bundle).drafter("lookup+draft").build());

    for (DecodeOptions options : configs) {
      try (BundleDecoder decoder = BundleDecoder.open(FAMILY, Device.cpu(), options)) {
        for (BenchPrompt prompt : prompts) {
          DecodeReport report = decoder.compare(prompt.text(), text -> {});
          assertTrue(
              report.comparison().orElseThrow().identical(),
              options.drafter() + " " + options.tree() + " on " + prompt.id());
        }
      }
    }
  }

  /** The bundle's defaults with 24 new tokens: enough to cross several drafting steps. */
  private static DecodeOptions.Builder shortRun(ModelBundle bundle) {
    return DecodeOptions.defaultsFor(bundle).maxNewTokens(24).budget(BudgetMode.FIXED);
  }
}
