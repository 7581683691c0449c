package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.Quantization;
import dev.specdec.tree.TokenTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantized models: {@code models/test-tiny} quantized at test time by {@link ModelQuantizer}
 * ({@code tools/quantize.py}, which needs python3 with numpy and onnx; {@code .ci/run} installs
 * them). Each quantized model is compared with its own dequantized reference (the same graph with
 * plain MatMuls over exactly the dequantized weights), and speculative decoding over quantized
 * models must stay exact with respect to plain decoding of the same quantized target.
 */
class QuantizedModelsTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");
  private static final Quantization INT4 = new Quantization(4, 32, 4);
  private static final Quantization INT8 = new Quantization(8, 32, 4);

  @TempDir static Path dir;
  private static Engine engine;

  @BeforeAll
  static void quantize() throws Exception {
    engine = Engine.create();
    ModelQuantizer quantizer = ModelQuantizer.create();
    quantizer.quantize(engine, TEST_TINY, dir.resolve("int4"), INT4);
    quantizer.quantize(engine, TEST_TINY, dir.resolve("int8"), INT8);
    for (Quantization q : new Quantization[] {INT4, INT8}) {
      Path target = TEST_TINY.resolve("target.onnx");
      Quantization fp32 = new Quantization(q.bits(), q.block(), 0);
      quantizer.quantize(engine, target, dir.resolve(name(fp32)), fp32);
      quantizer.writeReference(engine, target, dir.resolve("reference-" + name(q)), q);
    }
  }

  @AfterAll
  static void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private static String name(Quantization q) {
    return "target-int" + q.bits() + "-level" + q.accuracyLevel() + ".onnx";
  }

  /** BOS and 39 seeded random ordinary tokens. */
  private static int[] tokens() {
    SplittableRandom random = new SplittableRandom(3);
    int[] tokens = new int[40];
    tokens[0] = 1;
    for (int i = 1; i < tokens.length; i++) {
      tokens[i] = 3 + random.nextInt(500);
    }
    return tokens;
  }

  private static float[][] logits(Path model, int[] tokens) throws Exception {
    try (CausalLm lm = engine.loadCausalLm(model, Device.cpu())) {
      ForwardOutput out = lm.forward(TokenTree.chainOf(tokens));
      float[][] rows = new float[tokens.length][lm.info().vocabSize()];
      for (int r = 0; r < rows.length; r++) {
        out.copyLogits(r, rows[r]);
      }
      return rows;
    }
  }

  @Test
  void withFloatActivationsQuantizedWeightsReproduceTheirDequantizedReference() throws Exception {
    // Accuracy level 0 multiplies fp32 activations by the dequantized weights: the same products
    // as the reference, summed in possibly another order, so only fp32 rounding may differ
    // (|logits| < 20 here, fp32 epsilon 1.2e-7 per addition over K <= 344). Measured: 0.
    int[] tokens = tokens();
    for (Quantization q : new Quantization[] {INT4, INT8}) {
      Quantization fp32 = new Quantization(q.bits(), q.block(), 0);
      float[][] want = logits(dir.resolve("reference-" + name(q)), tokens);
      float[][] got = logits(dir.resolve(name(fp32)), tokens);
      for (int r = 0; r < want.length; r++) {
        for (int v = 0; v < want[r].length; v++) {
          assertEquals(want[r][v], got[r][v], 1e-4f, name(fp32) + " row " + r + " token " + v);
        }
      }
    }
  }

  @Test
  void withInt8ActivationsLogitsStayWithinTheActivationRoundingError() throws Exception {
    // Accuracy level 4 also rounds each block of 32 activations to int8 (step = block max / 127,
    // error <= half a step, ~0.2 % rms of the block's values) before every MatMul. Through 4 layers
    // of this random model that measured 0.9-1.0 % rms of the logits (max |error| 0.2 on logits of
    // rms 4); the bound leaves three times that.
    int[] tokens = tokens();
    for (Quantization q : new Quantization[] {INT4, INT8}) {
      float[][] want = logits(dir.resolve("reference-" + name(q)), tokens);
      float[][] got = logits(dir.resolve("int" + q.bits()).resolve("target.onnx"), tokens);
      double error = 0;
      double scale = 0;
      int sameArgmax = 0;
      for (int r = 0; r < want.length; r++) {
        for (int v = 0; v < want[r].length; v++) {
          error += Math.pow(want[r][v] - got[r][v], 2);
          scale += Math.pow(want[r][v], 2);
        }
        sameArgmax += argmax(want[r]) == argmax(got[r]) ? 1 : 0;
      }
      double relative = Math.sqrt(error / scale);
      assertTrue(relative < 0.03, "int" + q.bits() + ": rms error " + relative + " of the logits");
      assertTrue(sameArgmax >= 36, "int" + q.bits() + ": argmax equal in " + sameArgmax + "/40");
    }
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int v = 1; v < row.length; v++) {
      if (row[v] > row[best]) {
        best = v;
      }
    }
    return best;
  }

  @Test
  void aMultiTokenPassEqualsSingleTokenPassesWithInt8Activations() throws Exception {
    // Verification compares the target's logits over k + 1 tokens with what plain decoding sees
    // one token at a time. Activations are quantized per row, so rows do not interact: measured
    // bit for bit; the bound only allows for a kernel that sums in another order.
    int[] tokens = tokens();
    Path model = dir.resolve("int4").resolve("target.onnx");
    float[][] batch = logits(model, tokens);
    try (CausalLm lm = engine.loadCausalLm(model, Device.cpu())) {
      float[] row = new float[lm.info().vocabSize()];
      for (int t = 0; t < tokens.length; t++) {
        lm.forward(TokenTree.rootOnly(tokens[t])).copyLogits(0, row);
        lm.commitPrefix(1);
        for (int v = 0; v < row.length; v++) {
          assertEquals(batch[t][v], row[v], 1e-5f, "position " + t + " token " + v);
        }
      }
    }
  }

  @Test
  void greedySpeculativeDecodingOverQuantizedModelsIsTokenIdenticalToPlainDecoding()
      throws Exception {
    String[] prompts = {"To be, or not to be", "ROMEO:\nBut soft", "First Citizen:\nWe are"};
    for (String bits : new String[] {"int4", "int8"}) {
      ModelBundle bundle = ModelBundle.load(dir.resolve(bits));
      for (String drafter : new String[] {"draft", "mtp"}) {
        for (int k : new int[] {1, 3, 6}) {
          DecodeOptions options =
              DecodeOptions.defaultsFor(bundle)
                  .drafter(drafter)
                  .draftTokens(k)
                  .maxNewTokens(48)
                  .budget(BudgetMode.FIXED) // every step drafts k: exactness under drafting
                  .build();
          try (BundleDecoder decoder = BundleDecoder.open(bundle, Device.cpu(), options)) {
            for (String prompt : prompts) {
              DecodeReport report = decoder.compare(prompt, text -> {});
              assertTrue(
                  report.comparison().orElseThrow().identical(),
                  bits + " " + drafter + " k=" + k + ": " + prompt);
              assertTrue(report.result().stats().newTokens() > 0);
            }
          }
        }
      }
    }
  }

  @Test
  void theManifestTheModelsAndTheModelCardSayWhatIsQuantized() throws Exception {
    Path int4 = dir.resolve("int4");
    ModelBundle bundle = ModelBundle.load(int4);
    // test-tiny's Medusa heads are one batched 4-D weight per layer: nothing to rewrite, copied.
    assertEquals(Map.of("target", INT4, "draft", INT4, "mtp", INT4), bundle.quantization());
    String report = ModelReport.inspect(engine, int4).render();
    assertTrue(
        report.contains("  weights: quantized, int4, block 32, accuracy level 4 (int8"), report);
    assertTrue(report.contains("quantization (specdec.json):\n  target: int4"), report);
    String card = Files.readString(int4.resolve("README.md"));
    // The decoders apply RoPE with ONNX Runtime's RotaryEmbedding: every MatMul weight quantized.
    assertTrue(card.contains("| target | 17 | none |"), card);
    // The MTP module still rotates with a constant signed-permutation MatMul, kept in fp32.
    assertTrue(card.contains("| mtp | 6 | rope_rot (signed permutation"), card);
    assertTrue(card.contains("; copied unchanged"), card);
    assertFalse(
        ModelReport.inspect(engine, TEST_TINY).render().contains("quantization (specdec.json)"));
  }
}
