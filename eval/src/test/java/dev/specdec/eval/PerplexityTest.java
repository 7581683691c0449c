package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.tree.TokenTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Perplexity on the random-weight test target, against an independent reference: every target
 * scored by its own full pass over exactly the context its window gives it.
 */
class PerplexityTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");
  private static final String SONNET =
      "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n"
          + "Rough winds do shake the darling buds of May,\n"
          + "And summer's lease hath all too short a date.\n";
  private static final String OTHER = "To be, or not to be: that is the question. Café → naïve.";

  /**
   * The reference: for target t of the document, the first window w whose end min(w·S + C, L)
   * reaches t scores it, from the tokens d_(w·S) .. d_(t-1), run in one fresh pass; log-softmax as
   * log(sum(exp)) in double without a shift (the test logits are far from overflow).
   */
  private static double[] reference(CausalLm lm, int[] doc, int context, int stride) {
    int targets = doc.length - 1;
    double nats = 0;
    int top1 = 0;
    float[] row = new float[lm.info().vocabSize()];
    for (int t = 1; t <= targets; t++) {
      int w = 0;
      while (Math.min(w * stride + context, targets) < t) {
        w++;
      }
      lm.truncate(0);
      ForwardOutput out = lm.forward(TokenTree.chainOf(Arrays.copyOfRange(doc, w * stride, t)));
      out.copyLogits(out.rows() - 1, row);
      double sum = 0;
      int best = 0;
      for (int v = 0; v < row.length; v++) {
        sum += Math.exp(row[v]);
        best = row[v] > row[best] ? v : best;
      }
      nats += Math.log(sum) - row[doc[t]];
      top1 += best == doc[t] ? 1 : 0;
    }
    lm.truncate(0);
    return new double[] {nats, top1};
  }

  @ParameterizedTest(name = "context {0}, stride {1}, {2} tokens per pass")
  @CsvSource({
    "16, 16, 16", // disjoint windows, one pass each
    "16, 5, 4", // overlapping windows, passes that straddle the scored/context boundary
    "16, 1, 7", // one new target per window
    "12, 7, 256", // a chunk longer than the window
    "1, 1, 1" // bigram: each target sees only the token before it
  })
  void scoresEveryTargetOnceWithTheContextItsWindowGives(int context, int stride, int chunk)
      throws Exception {
    try (Engine engine = Engine.create();
        TextTokenizer tokenizer = engine.loadTokenizer(TEST_TINY.resolve("tokenizer.json"));
        CausalLm lm = engine.loadCausalLm(TEST_TINY.resolve("target.onnx"), Device.cpu())) {
      Perplexity.Window window = new Perplexity.Window(context, stride);
      for (String text : List.of(SONNET, OTHER)) {
        int[] doc = Perplexity.document(lm.info(), tokenizer, new Perplexity.Text("t", text));
        assertEquals(lm.info().bosTokenId(), doc[0]);
        assertEquals(lm.info().eosTokenId(), doc[doc.length - 1]);
        int targets = doc.length - 1;
        assertTrue(targets > 2 * context, "the text spans several windows: " + targets);

        PerplexityResult.Document scored = Perplexity.score(lm, "t", 1, doc, window, chunk);
        double[] expected = reference(lm, doc, context, stride);
        assertEquals(targets, scored.tokens(), "every token after BOS, EOS included");
        assertEquals(expected[0], scored.totalNats(), 1e-4 * targets);
        assertEquals((int) expected[1], scored.top1Hits());
        assertEquals(window.windows(targets), scored.windows());
        assertEquals(0, lm.cacheLength(), "the cache is left empty");
      }
    }
  }

  @Test
  void scoresAnOptimumExportWithItsChainOnlyMaskAlike() throws Exception {
    Path optimum =
        Path.of(System.getProperty("specdec.root", "..")).resolve("testdata/optimum-tiny/target");
    try (Engine engine = Engine.create();
        CausalLm lm = engine.loadCausalLm(optimum)) {
      int[] doc = new SplittableRandom(3).ints(70, 3, lm.info().vocabSize()).toArray();
      doc[0] = lm.info().bosTokenId();
      doc[doc.length - 1] = lm.info().eosTokenId();
      PerplexityResult.Document scored =
          Perplexity.score(lm, "random", 0, doc, new Perplexity.Window(32, 12), 8);
      double[] expected = reference(lm, doc, 32, 12);
      assertEquals(69, scored.tokens());
      assertEquals(expected[0], scored.totalNats(), 1e-4 * 69);
      assertEquals((int) expected[1], scored.top1Hits());
    }
  }

  @Test
  void windowCountIsOnePlusTheStridesThatReachTheEnd() {
    Perplexity.Window window = new Perplexity.Window(10, 4);
    // Ends 10, 14, 18, ...: a document of L targets needs the first end >= L.
    assertEquals(1, window.windows(1));
    assertEquals(1, window.windows(10));
    assertEquals(2, window.windows(11));
    assertEquals(2, window.windows(14));
    assertEquals(3, window.windows(15));
    assertEquals(3, new Perplexity.Window(10, 10).windows(21));
  }

  @Test
  void sumsDocumentsAndDividesTotalNatsByTokensAndUtf8Bytes() throws Exception {
    ModelBundle bundle = ModelBundle.load(TEST_TINY);
    Perplexity.Window window = new Perplexity.Window(24, 12);
    List<Perplexity.Text> texts =
        List.of(new Perplexity.Text("sonnet", SONNET), new Perplexity.Text("other", OTHER));
    try (Perplexity perplexity = Perplexity.open(bundle, Device.cpu(), Perplexity.Model.TARGET);
        Engine engine = Engine.create();
        TextTokenizer tokenizer = engine.loadTokenizer(bundle.tokenizer());
        CausalLm lm = engine.loadCausalLm(bundle.target(), Device.cpu())) {
      assertEquals(256, perplexity.capacity());
      PerplexityResult result = perplexity.score(texts, window);

      long tokens = 0;
      double nats = 0;
      long hits = 0;
      for (Perplexity.Text text : texts) {
        int[] doc = Perplexity.document(lm.info(), tokenizer, text);
        tokens += tokenizer.encode(text.text()).length + 1;
        double[] expected = reference(lm, doc, 24, 12);
        nats += expected[0];
        hits += (long) expected[1];
      }
      long bytes =
          SONNET.getBytes(StandardCharsets.UTF_8).length
              + OTHER.getBytes(StandardCharsets.UTF_8).length;
      assertEquals(OTHER.length() + 4, OTHER.getBytes(StandardCharsets.UTF_8).length);
      assertEquals(tokens, result.tokens());
      assertEquals(bytes, result.bytes());
      assertEquals(nats, result.totalNats(), 1e-4 * tokens);
      assertEquals(hits, result.top1Hits());
      assertEquals(result.totalNats() / tokens, result.meanNats(), 1e-12);
      assertEquals(result.totalNats() / Math.log(2) / bytes, result.bitsPerByte(), 1e-12);
      assertEquals((double) hits / tokens, result.top1(), 1e-12);
      assertEquals(Math.exp(result.meanNats()), result.perplexity(), 1e-9 * result.perplexity());
      assertEquals(
          List.of("sonnet", "other"), result.documents().stream().map(d -> d.name()).toList());
      assertEquals("test-tiny-target", result.modelName());
      assertEquals(Perplexity.Model.TARGET, result.model());
      // Overlapping windows re-feed context: window w feeds min(12w + 24, L) - 12w tokens.
      long fed = 0;
      for (PerplexityResult.Document d : result.documents()) {
        for (int w = 0; w < d.windows(); w++) {
          fed += Math.min(12 * w + 24, d.tokens()) - 12 * w;
        }
      }
      assertEquals(fed, result.tokensRun());
    }
  }

  @Test
  void theDraftIsScoredWhenAskedAndMissingDraftIsABundleError(@TempDir Path dir) throws Exception {
    ModelBundle bundle = ModelBundle.load(TEST_TINY);
    List<Perplexity.Text> texts = List.of(new Perplexity.Text("sonnet", SONNET));
    Perplexity.Window window = new Perplexity.Window(32, 32);
    try (Perplexity target = Perplexity.open(bundle, Device.cpu(), Perplexity.Model.TARGET);
        Perplexity draft = Perplexity.open(bundle, Device.cpu(), Perplexity.Model.DRAFT)) {
      assertEquals("test-tiny-draft", draft.info().name());
      PerplexityResult t = target.score(texts, window);
      PerplexityResult d = draft.score(texts, window);
      assertEquals(t.tokens(), d.tokens());
      assertTrue(
          Math.abs(t.totalNats() - d.totalNats()) > 1e-3, "different models, different nats");
    }

    Files.copy(TEST_TINY.resolve("target.onnx"), dir.resolve("target.onnx"));
    Files.copy(TEST_TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    Files.writeString(
        dir.resolve("specdec.json"),
        "{\"format\": \"specdec-bundle/1\", \"name\": \"no-draft\", \"tokenizer\":"
            + " \"tokenizer.json\", \"target\": \"target.onnx\"}");
    BundleException e =
        assertThrows(
            BundleException.class,
            () ->
                Perplexity.open(ModelBundle.load(dir), Device.cpu(), Perplexity.Model.DRAFT)
                    .close());
    assertTrue(e.getMessage().contains("has no draft model to score"), e.getMessage());
  }

  @Test
  void windowsAreValidatedAgainstEachOtherAndTheModel() {
    assertEquals(new Perplexity.Window(256, 256), Perplexity.Window.of(null, null, 256));
    assertEquals(new Perplexity.Window(64, 64), Perplexity.Window.of(64, null, 256));
    assertEquals(new Perplexity.Window(256, 100), Perplexity.Window.of(null, 100, 256));
    IllegalArgumentException tooLong =
        assertThrows(IllegalArgumentException.class, () -> Perplexity.Window.of(257, null, 256));
    assertEquals(
        "context must be in [1, 256] (the positions the model holds), was 257",
        tooLong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Perplexity.Window(0, 1));
    IllegalArgumentException stride =
        assertThrows(IllegalArgumentException.class, () -> new Perplexity.Window(10, 11));
    assertEquals("stride must be in [1, context = 10], was 11", stride.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Perplexity.Window(10, 0));
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> new Perplexity.Text("a.txt", ""));
    assertEquals("a.txt is empty: there is nothing to score", empty.getMessage());
  }

  @Test
  void logProbabilityIsStableWhereExpWouldOverflow() {
    assertEquals(-Math.log(2), Perplexity.logProbability(new float[] {1000f, 1000f}, 1), 1e-12);
    assertEquals(
        -Math.log(1 + Math.exp(-3)), Perplexity.logProbability(new float[] {-5f, -2f}, 1), 1e-12);
    double tiny = Perplexity.logProbability(new float[] {0f, 200f}, 0);
    assertEquals(-200, tiny, 1e-9);
  }
}
