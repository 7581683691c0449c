package dev.specdec.drafting;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.LogitsWarper;
import dev.specdec.sampling.Sampler;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Drafts a chain with a small causal LM that keeps its own KV cache.
 *
 * <p>Cache invariant: between steps the draft cache holds a prefix of the context, never the
 * pending last token. On {@link #propose} the drafter first catches up, running every context token
 * its cache lacks as one chain pass and committing them (the whole prompt on the first call; one
 * token after a step with a rejection; two after a fully accepted step, the last draft and the
 * bonus token; more after steps another drafter made); the last row of that pass gives the first
 * draft. Each further draft costs one single-token pass, committed. The last draft is never run.
 * After drafting d tokens on a context of n, the cache holds n + d - 1 positions; {@link #accepted}
 * with a accepted drafts truncates it to n + min(a, d - 1), exactly the accepted part. So no
 * (position, prefix) is ever run twice within a sequence: a rejected draft's position is run again
 * only with the correction token.
 *
 * <p>Temperature 0 drafts the argmax of the raw logits and records no distribution (each child's q
 * is a point mass). Otherwise the logits are warped by the sampling config into q, kept in one
 * reusable row per draft position, and the draft is sampled from it.
 *
 * <p>Drafts are capped by {@code k}, by the decode loop's {@code maxDrafts} and by the draft's own
 * capacity; a context the draft cannot hold gets the root alone. Owns the model: {@link #close()}
 * closes it. Not thread-safe.
 */
public final class DraftModelDrafter implements Drafter {
  /** The most drafts a proposal may take. */
  public static final int MAX_K = 64;

  private final CausalLm model;
  private final SamplingConfig sampling;
  private final int k;
  private final RandomGenerator rng;
  private final int vocabSize;
  private final LogitsWarper warper;
  private final float[] logits; // (V) one row of the last pass
  private final float[][] q; // (k, V) q[j]: what the draft at depth j + 1 was drawn from; lazy rows
  private final int[] drafts; // (k)
  private final float[] confidences; // (1 + k) per node: the drafter's probability of its draft
  private final DraftConfidence confidence;
  private final DraftDistributions sampledDistributions;
  private int drafted; // drafts in the last proposal
  private int cachedBeforeDrafting; // cache length once caught up, before the first draft ran
  private boolean awaitingVerdict;
  private long tokensRun;

  private DraftModelDrafter(CausalLm model, SamplingConfig sampling, int k, RandomGenerator rng) {
    this.model = model;
    this.sampling = sampling;
    this.k = k;
    this.rng = rng;
    this.vocabSize = model.info().vocabSize();
    this.warper = new LogitsWarper(vocabSize);
    this.logits = new float[vocabSize];
    this.q = new float[k][];
    this.drafts = new int[k];
    this.confidences = new float[k + 1];
    this.confidence = DraftConfidence.of(confidences);
    this.sampledDistributions = node -> node >= 0 && node < drafted ? q[node] : null;
  }

  /**
   * A drafter over {@code draft}, which it owns from now on.
   *
   * @param sampling the same warping the target gets, for exact rejection sampling
   * @param k the most drafts per proposal, in {@code [1, 64]}
   * @param rng draws sampled drafts (unused at temperature 0)
   * @throws IllegalArgumentException when {@code k} is out of range
   */
  public static DraftModelDrafter of(
      CausalLm draft, SamplingConfig sampling, int k, RandomGenerator rng) {
    Objects.requireNonNull(draft, "draft");
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(rng, "rng");
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException(
          "draft tokens per step (k) must be in [1, " + MAX_K + "], was " + k);
    }
    return new DraftModelDrafter(draft, sampling, k, rng);
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    return propose(context, maxDrafts, DraftStop.NEVER);
  }

  /**
   * Proposes a chain, asking {@code stop} after each draft whether to run the draft model once more
   * for the next one: a chain cut by {@code stop} costs no pass for the drafts it leaves out.
   */
  @Override
  public Proposal propose(TokenContext context, int maxDrafts, DraftStop stop) {
    java.util.Objects.requireNonNull(stop, "stop");
    if (maxDrafts < 0) {
      throw new IllegalArgumentException("maxDrafts must be >= 0, was " + maxDrafts);
    }
    if (awaitingVerdict) {
      // The last proposal was never verified: drop its drafts, keep the caught-up context.
      model.truncate(Math.min(cachedBeforeDrafting, model.cacheLength()));
    }
    int n = context.length();
    int cached = model.cacheLength();
    if (n <= cached) {
      throw new IllegalStateException(
          "context of "
              + n
              + " tokens is not ahead of the draft cache ("
              + cached
              + " positions): call reset() before a new sequence");
    }
    awaitingVerdict = true;
    drafted = 0;
    cachedBeforeDrafting = cached;
    // Drafting d tokens runs the n context tokens and d - 1 drafts.
    int budget = Math.min(Math.min(k, maxDrafts), model.capacity() - n + 1);
    if (budget <= 0) {
      return Proposal.rootOnly(context.last());
    }
    int[] missing = new int[n - cached];
    for (int i = 0; i < missing.length; i++) {
      missing[i] = context.token(cached + i);
    }
    ForwardOutput out = model.forward(TokenTree.chainOf(missing));
    tokensRun += missing.length;
    out.copyLogits(missing.length - 1, logits);
    model.commitPrefix(missing.length);
    cachedBeforeDrafting = n;
    for (int j = 0; j < budget; j++) {
      drafts[j] = draw(j);
      drafted = j + 1;
      if (j + 1 < budget && !stop.deeper(j + 1, confidences[j + 1])) {
        budget = j + 1;
      }
      if (j + 1 < budget) {
        out = model.forward(TokenTree.rootOnly(drafts[j]));
        tokensRun++;
        out.copyLogits(0, logits);
        model.commitPrefix(1);
      }
    }
    TokenTree tree = TokenTree.chain(context.last(), Arrays.copyOf(drafts, budget));
    return new Proposal(
        tree,
        sampling.isGreedy() ? DraftDistributions.deterministic() : sampledDistributions,
        confidence);
  }

  /**
   * Draws the draft at {@code depth + 1} and records the drafter's confidence in it: the softmax
   * probability of the argmax when greedy; when sampling, the largest probability of q, which does
   * not depend on the sampled token (see {@link DraftConfidence}).
   */
  private int draw(int depth) {
    if (sampling.isGreedy()) {
      int best = Distributions.argmax(logits);
      confidences[depth + 1] = softmaxOf(logits, best);
      return best;
    }
    if (q[depth] == null) {
      q[depth] = new float[vocabSize];
    }
    warper.warp(logits, sampling, q[depth]);
    float max = 0f;
    for (float p : q[depth]) {
      max = Math.max(max, p);
    }
    confidences[depth + 1] = max;
    return Sampler.sample(q[depth], rng);
  }

  /** The probability of {@code token} under the softmax of {@code logits} (temperature 1). */
  static float softmaxOf(float[] logits, int token) {
    float max = Float.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - max);
    }
    return (float) (Math.exp(logits[token] - max) / sum);
  }

  @Override
  public void accepted(int[] path) {
    if (!awaitingVerdict) {
      throw new IllegalStateException("accepted() without a proposal to accept: call propose()");
    }
    int accepted = path.length - 1;
    if (accepted < 0 || accepted > drafted) {
      throw new IllegalArgumentException(
          "accepted path of "
              + path.length
              + " nodes, but the proposal had "
              + drafted
              + " drafts");
    }
    for (int i = 0; i < path.length; i++) {
      if (path[i] != i) {
        throw new IllegalArgumentException(
            "accepted path must be a chain prefix 0, 1, ..., was " + Arrays.toString(path));
      }
    }
    model.truncate(Math.min(cachedBeforeDrafting + accepted, model.cacheLength()));
    awaitingVerdict = false;
  }

  @Override
  public void reset() {
    model.truncate(0);
    drafted = 0;
    awaitingVerdict = false;
  }

  @Override
  public String name() {
    return "draft";
  }

  @Override
  public Optional<ModelInfo> modelInfo() {
    return Optional.of(model.info());
  }

  /** Tokens this drafter has run through the draft model since it was made (all sequences). */
  public long tokensRun() {
    return tokensRun;
  }

  /** Positions now committed in the draft model's cache. */
  public int cacheLength() {
    return model.cacheLength();
  }

  /** Closes the draft model; idempotent as the model's close is. */
  @Override
  public void close() {
    model.close();
  }
}
