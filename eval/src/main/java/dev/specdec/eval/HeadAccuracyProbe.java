package dev.specdec.eval;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.tree.TokenTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures {@link HeadAccuracies}: runs a target and its Medusa heads over a text and counts, per
 * head, at which rank each true token came.
 */
public final class HeadAccuracyProbe {
  private HeadAccuracyProbe() {}

  /**
   * Measures {@code heads} on {@code tokens} (a tokenized text, BOS first if the model wants it).
   * The text is cut into windows of the target's context length, each run as one causal pass from
   * an empty cache; at every position t of a window with t + k + 2 inside it, head k's rank of the
   * true token is counted.
   *
   * @param ranks ranks to tell apart, in [1, vocabulary]; a true token ranked lower counts as a
   *     miss
   * @throws IllegalArgumentException when the text is too short for head 0 (fewer than 3 tokens),
   *     or the heads are not the target's
   */
  public static HeadAccuracies measure(
      CausalLm target, MedusaHeads heads, int[] tokens, int ranks) {
    heads.requireTarget(target.info());
    int vocab = heads.vocabSize();
    if (ranks < 1 || ranks > vocab) {
      throw new IllegalArgumentException("ranks must be in [1, " + vocab + "], was " + ranks);
    }
    if (tokens.length < 3) {
      throw new IllegalArgumentException(
          "text of " + tokens.length + " tokens is too short: measuring needs at least 3");
    }
    int k = heads.heads();
    long[][] hits = new long[k][ranks];
    long[] counted = new long[k];
    float[] hidden = new float[heads.hiddenSize()];
    float[] logits = new float[k * vocab];
    int window = target.capacity();
    for (int start = 0; start + 2 < tokens.length; start += window) {
      int length = Math.min(window, tokens.length - start);
      target.truncate(0);
      ForwardOutput out =
          target.forward(TokenTree.chainOf(Arrays.copyOfRange(tokens, start, start + length)));
      for (int t = 0; t + 2 < length; t++) {
        out.copyHiddenState(t, hidden);
        heads.run(hidden, logits);
        for (int h = 0; h < k && t + h + 2 < length; h++) {
          int truth = tokens[start + t + h + 2];
          int rank = rank(logits, h * vocab, vocab, truth);
          counted[h]++;
          if (rank < ranks) {
            hits[h][rank]++;
          }
        }
      }
    }
    target.truncate(0);
    double[][] perRank = new double[k][ranks];
    for (int h = 0; h < k; h++) {
      for (int r = 0; r < ranks; r++) {
        perRank[h][r] = counted[h] == 0 ? 0 : (double) hits[h][r] / counted[h];
      }
    }
    return new HeadAccuracies(perRank, counted[0]);
  }

  /**
   * Measures the Medusa heads of {@code bundle} on {@code text} (BOS in front), loading and closing
   * the tokenizer, the target and the heads; see {@link #measure(CausalLm, MedusaHeads, int[],
   * int)}.
   *
   * @throws BundleException when the bundle has no Medusa heads or they are not its target's
   * @throws IOException when a file cannot be read
   * @throws ModelContractException when a model breaks its contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public static HeadAccuracies measure(ModelBundle bundle, Device device, String text, int ranks)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return measure(bundle, device, EngineOptions.defaults(), text, ranks);
  }

  /**
   * {@link #measure(ModelBundle, Device, String, int)} with the models on an engine with {@code
   * engineOptions} (threads, spinning).
   */
  public static HeadAccuracies measure(
      ModelBundle bundle, Device device, EngineOptions engineOptions, String text, int ranks)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Path medusa =
        bundle
            .medusa()
            .orElseThrow(
                () ->
                    new BundleException(
                        "bundle '"
                            + bundle.name()
                            + "' has no Medusa heads to measure: add \"medusa\" to its "
                            + ModelBundle.MANIFEST));
    try (Engine engine = Engine.create(engineOptions);
        TextTokenizer tokenizer = engine.loadTokenizer(bundle.tokenizer());
        CausalLm target = engine.loadCausalLm(bundle.target(), device);
        MedusaHeads heads = engine.loadMedusaHeads(medusa, device)) {
      int[] ids = tokenizer.encode(text);
      int[] tokens = new int[ids.length + 1];
      tokens[0] = target.info().bosTokenId();
      System.arraycopy(ids, 0, tokens, 1, ids.length);
      try {
        return measure(target, heads, tokens, ranks);
      } catch (IllegalArgumentException e) {
        throw new BundleException("bundle '" + bundle.name() + "': " + e.getMessage());
      }
    }
  }

  /** Tokens ranked before {@code truth}: higher logit, or equal logit and smaller id. */
  private static int rank(float[] logits, int offset, int vocab, int truth) {
    float x = logits[offset + truth];
    int rank = 0;
    for (int v = 0; v < vocab; v++) {
      float y = logits[offset + v];
      if (y > x || (y == x && v < truth)) {
        rank++;
      }
    }
    return rank;
  }
}
