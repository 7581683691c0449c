package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code specdec inspect} on each kind of input, usable and not. */
class InspectCommandTest {
  private static String optimumTiny(String rest) {
    return Cli.root().resolve("testdata/optimum-tiny").resolve(rest).toString();
  }

  private static void assertContains(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), "missing '" + part + "' in:\n" + text);
    }
  }

  @Test
  void aSpecdecContractFileShowsItsLayoutSizesAndTreeSupport() {
    Cli cli = Cli.run("inspect", optimumTiny("target-specdec.onnx"));
    assertEquals(0, cli.exitCode(), cli.err());
    assertContains(
        cli.out(),
        ": ONNX model file\n",
        "  layout: specdec contract v1\n",
        "  sizes: 2 layers, 4 heads (2 kv), head size 8, hidden 32, vocabulary 512, context 128\n",
        "  special tokens: bos 1, eos 2\n",
        "  tree masks: yes, hidden_states: yes\n",
        "    attention_mask: float32 [batch, 1, seq, total]\n",
        "  lookup: yes - prompt lookup; several branches are verified as one tree\n",
        "  draft: no - needs a draft model");
  }

  @Test
  void anOptimumDirectoryShowsConfigValuesAndChainsOnly() {
    Cli cli = Cli.run("inspect", optimumTiny("target"));
    assertEquals(0, cli.exitCode(), cli.err());
    assertContains(
        cli.out(),
        ": model directory\n",
        "model.onnx (",
        "  layout: Hugging Face Optimum decoder\n",
        "  special tokens: bos 1, eos 2\n",
        "  tree masks: no (chains only), hidden_states: no\n",
        "    past_key_values.0.key: float32 [batch_size, 2, past_sequence_length, 8]\n",
        "    present.1.value: float32 [batch_size, 2, past_sequence_length + sequence_length, 8]\n",
        "tokenizer: ",
        "  lookup: yes - prompt lookup; the target takes a 2-D mask",
        "  medusa: no - needs a target with a hidden_states output",
        "  rejection: yes - any temperature: exact rejection sampling over chains\n");
  }

  @Test
  void aBundleShowsTargetDraftAndTheDraftDrafter() {
    Cli cli = Cli.run("inspect", Cli.testTiny().toString());
    assertEquals(0, cli.exitCode(), cli.err());
    assertContains(
        cli.out(),
        ": specdec bundle\n",
        "target: ",
        "draft: ",
        "  name: test-tiny-draft\n",
        "  draft: yes - drafts a chain of up to k tokens per pass\n",
        "  lookup+draft: yes");
  }

  @Test
  void aModelOfNeitherLayoutIsReportedAndFails() {
    Cli cli = Cli.run("inspect", optimumTiny("no-cache.onnx"));
    assertEquals(1, cli.exitCode());
    assertContains(
        cli.out(),
        "  layout: not recognized - cannot be run\n",
        "  problem: model no-cache.onnx: unsupported layout",
        "    input_ids: int64 [batch_size, sequence_length]\n",
        "  none: no - the target cannot be run");
    assertContains(cli.err(), "specdec: error: specdec cannot run");
  }

  @Test
  void aContractViolationIsReportedWithItsRule() {
    Cli cli =
        Cli.run(
            "inspect", Cli.root().resolve("testdata/bad-models/head-major-cache.onnx").toString());
    assertEquals(1, cli.exitCode());
    assertContains(
        cli.out(),
        "  layout: specdec contract v1 - cannot be run\n",
        "  problem: model head-major-cache.onnx: expected float32 [batch, past, 2, 4] for"
            + " past_key_0, found float32 [batch, 2, past, 4]");
  }

  @Test
  void aMissingPathIsAnError() {
    Cli cli = Cli.run("inspect", optimumTiny("nope"));
    assertEquals(1, cli.exitCode());
    assertContains(cli.err(), "nope");
  }
}
