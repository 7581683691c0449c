package dev.specdec.eval;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.sampling.Distributions;
import dev.specdec.tree.TokenTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Perplexity of a bundle's target or draft on texts, computed through the same {@link CausalLm}
 * that decoding uses (what {@code specdec perplexity} runs).
 *
 * <h2>What is scored</h2>
 *
 * Each text is one document {@code d_0 .. d_L = [BOS] + encode(text) + [EOS]}, so L = encoded
 * length + 1. Every token after BOS, EOS included, is predicted once: L predictions per document,
 * as {@code tools/train/train.py} counts its validation loss.
 *
 * <p>A document is scored in sliding windows ({@link Window}: context C, stride S). Window w feeds
 * the model the tokens {@code d_b .. d_(e-1)} with {@code b = w·S} and {@code e = min(b + C, L)},
 * from an empty cache (positions 0 ..), and the logits at each fed token are the distribution of
 * the next one. Window w scores the targets {@code d_t} with {@code e_(w-1) < t <= e_w} (e_(-1) =
 * 0): those no earlier window scored, each conditioned on {@code d_b .. d_(t-1)}. The last window
 * is the first that reaches {@code e = L}. So every target is scored exactly once; in the first
 * window target t sees t tokens, in later ones every scored target sees at least C − S + 1 (Hugging
 * Face's strided perplexity; S = C gives disjoint windows, the default, which is also how the
 * training script's validation windows lie).
 *
 * <p>Per target, the log-probability is a log-softmax over the vocabulary in double precision
 * (max-subtracted); top-1 counts targets that are the argmax (ties to the smaller id, as greedy
 * decoding picks). Bits per byte = total nats / ln 2 / the texts' UTF-8 bytes.
 *
 * <p>Owns the engine, the tokenizer and the model it loads; not thread-safe. {@link #close()} is
 * idempotent.
 */
public final class Perplexity implements AutoCloseable {
  /** Tokens per forward pass when a window is longer: bounds the logits buffer (T × V floats). */
  public static final int DEFAULT_CHUNK = 256;

  /** Which model of a bundle to score. */
  public enum Model {
    /** The bundle's target. */
    TARGET,
    /** The bundle's draft model. */
    DRAFT;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How documents are cut into windows; see the class comment.
   *
   * @param context tokens fed to the model per window (each predicting the next), {@code >= 1}
   * @param stride tokens between the starts of consecutive windows, in [1, context]
   */
  public record Window(int context, int stride) {

    /** Validates the ranges, naming the parameter and its value. */
    public Window {
      if (context < 1) {
        throw new IllegalArgumentException("context must be >= 1, was " + context);
      }
      if (stride < 1 || stride > context) {
        throw new IllegalArgumentException(
            "stride must be in [1, context = " + context + "], was " + stride);
      }
    }

    /**
     * The window for a model that holds {@code capacity} positions: {@code context} defaults to the
     * capacity, {@code stride} to the context.
     *
     * @param context tokens per window, or null for the model's capacity
     * @param stride tokens between window starts, or null for the context
     * @throws IllegalArgumentException when context is not in [1, capacity] or stride not in [1,
     *     context]
     */
    public static Window of(Integer context, Integer stride, int capacity) {
      int c = context != null ? context : capacity;
      if (c < 1 || c > capacity) {
        throw new IllegalArgumentException(
            "context must be in [1, " + capacity + "] (the positions the model holds), was " + c);
      }
      return new Window(c, stride != null ? stride : c);
    }

    /** Windows a document of {@code targets} predictions (L) takes: 1 + ceil((L − C) / S). */
    public int windows(int targets) {
      return targets <= context ? 1 : 1 + (targets - context + stride - 1) / stride;
    }
  }

  /**
   * A text to score.
   *
   * @param name how reports name it (a file name, say)
   * @param text the content, not empty
   */
  public record Text(String name, String text) {

    /** Validates presence and that the text is not empty. */
    public Text {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(text, "text");
      if (text.isEmpty()) {
        throw new IllegalArgumentException(name + " is empty: there is nothing to score");
      }
    }

    /** Its length in UTF-8 bytes, the denominator of bits per byte. */
    public long bytes() {
      return text.getBytes(StandardCharsets.UTF_8).length;
    }
  }

  private final String bundle;
  private final Model which;
  private final Engine engine;
  private final TextTokenizer tokenizer;
  private final CausalLm lm;
  private final int chunk;
  private boolean closed;

  private Perplexity(
      String bundle, Model which, Engine engine, TextTokenizer tokenizer, CausalLm lm, int chunk) {
    this.bundle = bundle;
    this.which = which;
    this.engine = engine;
    this.tokenizer = tokenizer;
    this.lm = lm;
    this.chunk = chunk;
  }

  /**
   * Loads the tokenizer and the {@code model} of {@code bundle} on {@code device}.
   *
   * @throws BundleException when the draft is asked of a bundle without one, or the tokenizer
   *     produces ids the model does not know
   * @throws IOException when a file cannot be read or parsed
   * @throws ModelContractException when the model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public static Perplexity open(ModelBundle bundle, Device device, Model model)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(bundle, device, EngineOptions.defaults(), model);
  }

  /**
   * {@link #open(ModelBundle, Device, Model)} with the model on an engine with {@code
   * engineOptions} (threads, spinning).
   *
   * @throws IllegalStateException when this process's ONNX Runtime environment already has a thread
   *     pool with other options (see {@link Engine#create(EngineOptions)})
   */
  public static Perplexity open(
      ModelBundle bundle, Device device, EngineOptions engineOptions, Model model)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    Objects.requireNonNull(model, "model");
    Path file =
        switch (model) {
          case TARGET -> bundle.target();
          case DRAFT ->
              bundle
                  .draft()
                  .orElseThrow(
                      () ->
                          new BundleException(
                              "bundle '"
                                  + bundle.name()
                                  + "' in "
                                  + bundle.root()
                                  + " has no draft model to score: score the target, or add"
                                  + " \"draft\" to its "
                                  + ModelBundle.MANIFEST));
        };
    Engine engine = Engine.create(engineOptions);
    TextTokenizer tokenizer = null;
    boolean opened = false;
    try {
      tokenizer = engine.loadTokenizer(bundle.tokenizer());
      CausalLm lm = engine.loadCausalLm(file, device);
      if (tokenizer.vocabSize() > lm.info().vocabSize()) {
        throw new BundleException(
            "bundle '"
                + bundle.name()
                + "': the tokenizer has "
                + tokenizer.vocabSize()
                + " ids but the "
                + model
                + "'s vocabulary has "
                + lm.info().vocabSize());
      }
      Perplexity perplexity =
          new Perplexity(bundle.name(), model, engine, tokenizer, lm, DEFAULT_CHUNK);
      opened = true;
      return perplexity;
    } finally {
      if (!opened) {
        if (tokenizer != null) {
          tokenizer.close();
        }
        engine.close(); // closes the model too
      }
    }
  }

  /** The most tokens a window can feed: the model's context length. */
  public int capacity() {
    return lm.capacity();
  }

  /** What the loaded model declared. */
  public ModelInfo info() {
    return lm.info();
  }

  /**
   * Scores {@code texts}, each a document, in windows of {@code window}.
   *
   * @throws IllegalArgumentException when there are no texts, or the window's context exceeds
   *     {@link #capacity()}
   */
  public PerplexityResult score(List<Text> texts, Window window) {
    requireOpen();
    Objects.requireNonNull(window, "window");
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("no texts to score");
    }
    long start = System.nanoTime();
    long runBefore = lm.stats().tokensRun();
    List<PerplexityResult.Document> documents = new ArrayList<>(texts.size());
    for (Text text : texts) {
      documents.add(
          score(
              lm, text.name(), text.bytes(), document(lm.info(), tokenizer, text), window, chunk));
    }
    return new PerplexityResult(
        bundle,
        which,
        lm.info().name(),
        window,
        documents,
        lm.stats().tokensRun() - runBefore,
        System.nanoTime() - start);
  }

  /** {@code [BOS] + encode(text) + [EOS]}. */
  static int[] document(ModelInfo info, TextTokenizer tokenizer, Text text) {
    int[] ids = tokenizer.encode(text.text());
    int[] doc = new int[ids.length + 2];
    doc[0] = info.bosTokenId();
    System.arraycopy(ids, 0, doc, 1, ids.length);
    doc[doc.length - 1] = info.eosTokenId();
    return doc;
  }

  /**
   * Scores one document (its tokens {@code d_0 .. d_L}, BOS first) as the class comment says,
   * running each window in passes of at most {@code chunk} tokens over a cache truncated to 0 at
   * the window's start. Leaves the cache empty.
   *
   * @throws IllegalArgumentException when the document has fewer than 2 tokens, the window's
   *     context exceeds the model's capacity, or chunk is below 1
   */
  static PerplexityResult.Document score(
      CausalLm lm, String name, long bytes, int[] doc, Window window, int chunk) {
    if (doc.length < 2) {
      throw new IllegalArgumentException(
          name + ": a document needs at least 2 tokens (BOS and a target), has " + doc.length);
    }
    if (window.context() > lm.capacity()) {
      throw new IllegalArgumentException(
          "context must be in [1, "
              + lm.capacity()
              + "] (the positions the model holds), was "
              + window.context());
    }
    if (chunk < 1) {
      throw new IllegalArgumentException("chunk must be >= 1, was " + chunk);
    }
    int targets = doc.length - 1; // L
    float[] row = new float[lm.info().vocabSize()];
    double nats = 0;
    int scored = 0;
    int top1 = 0;
    int windows = 0;
    int scoredUpTo = 0; // e of the previous window: targets 1 .. scoredUpTo are done
    for (int begin = 0; scoredUpTo < targets; begin += window.stride()) {
      int end = Math.min(begin + window.context(), targets);
      windows++;
      lm.truncate(0);
      for (int from = begin; from < end; from += chunk) {
        int to = Math.min(from + chunk, end);
        ForwardOutput out = lm.forward(TokenTree.chainOf(Arrays.copyOfRange(doc, from, to)));
        // Row r is fed token from + r and predicts target from + r + 1.
        for (int r = Math.max(0, scoredUpTo - from); r < to - from; r++) {
          out.copyLogits(r, row);
          int target = doc[from + r + 1];
          nats -= logProbability(row, target);
          scored++;
          top1 += Distributions.argmax(row) == target ? 1 : 0;
        }
        if (to < end) {
          lm.commitPrefix(to - from);
        }
      }
      scoredUpTo = end;
    }
    lm.truncate(0);
    return new PerplexityResult.Document(name, bytes, scored, nats, top1, windows);
  }

  /** log softmax(logits)[token], in double with the maximum subtracted. */
  static double logProbability(float[] logits, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (float x : logits) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (float x : logits) {
      sum += Math.exp(x - max);
    }
    return logits[token] - max - Math.log(sum);
  }

  /** Closes the model, the tokenizer and the engine; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      tokenizer.close();
    } finally {
      engine.close(); // closes the model too
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("perplexity of bundle '" + bundle + "' is closed");
    }
  }
}
