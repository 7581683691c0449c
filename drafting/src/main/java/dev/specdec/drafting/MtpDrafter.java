package dev.specdec.drafting;

import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MtpModule;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.LogitsWarper;
import dev.specdec.sampling.Sampler;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Drafts with a DeepSeek-V3-style multi-token-prediction module on the target's hidden states
 * (docs/mtp-medusa-contract.md).
 *
 * <p><b>What the module's cache holds.</b> Slot j is the pair (h_j, x_{j+1}): the <em>target's</em>
 * final-norm hidden state at context position j, taken from the target pass that committed position
 * j (the prefill or a verification pass, through {@link #targetCommitting}), and the context token
 * that follows it. Between steps, with a context of n tokens, the committed slots are exactly
 * 0..n-3, and the drafter holds h_{n-2} (plus any positions committed since) waiting to be paired.
 * So after any step the cache equals what running the module from scratch over the pairs (h_0, x_1)
 * .. (h_{n-3}, x_{n-2}) of the accepted sequence would give; tests check this against such a
 * reference. Rows computed from the module's <em>own</em> hidden states (the chained drafts) are
 * never committed: they are not pairs the module was trained on, and an accepted draft's pair is
 * recomputed next step with the target's hidden state from the pass that verified it.
 *
 * <p><b>One proposal</b> on a context of n tokens, whose last token x_{n-1} is the tree's root:
 *
 * <ol>
 *   <li>Catch up: one chain pass over the pairs not yet cached, slots c..n-2 (the whole prompt on
 *       the first step; m + 2 after a step that accepted m drafts). Slots c..n-3 are committed. The
 *       last row, the root's pair (h_{n-2}, x_{n-1}), predicts x_n: its logits give the root's
 *       children and its {@code hidden_states_out} their hidden input.
 *   <li>Chain: each draft node is the pair (its parent's {@code hidden_states_out}, its own token).
 *       Level d + 1 is read off one pass over the tree of levels 0..d (tree attention: siblings do
 *       not see each other), uncommitted; at most {@code depth} passes per proposal.
 *   <li>Shape: every node of a level is expanded by up to {@code branches} children, best path
 *       score first (product of the children's probabilities along the path), until {@code
 *       maxDrafts} drafts are spent. With one branch this is a chain of {@code min(depth, k)}.
 * </ol>
 *
 * <p><b>Exactness.</b> Temperature 0: the children are the top {@code branches} tokens of the raw
 * logits, chosen deterministically (q is a point mass at each). Otherwise q = the module's logits
 * warped like the target's, recorded per expanded node, and the children are independent samples
 * from q (duplicates possible, as recursive rejection sampling requires for exactness). How many
 * children a node gets depends on its ancestors and on other nodes of its level, never on the
 * children's own values, so greedy, rejection sampling and typical acceptance all stay correct.
 *
 * <p>Owns the module: {@link #close()} closes it. Not thread-safe.
 */
public final class MtpDrafter implements Drafter {
  /** Greedy trees rank their nodes by the module's plain softmax (temperature 1). */
  private static final SamplingConfig RANKING = SamplingConfig.temperature(1);

  private final MtpModule module;
  private final SamplingConfig sampling;
  private final MtpConfig config;
  private final RandomGenerator rng;
  private final int vocab;
  private final int width; // hidden size H
  private final LogitsWarper warper;
  private final float[] logits; // (V) one row
  private final float[] probs; // (V) ranking scores when greedy and branching
  private final float[] row; // (H) one hidden row in transit

  // Target hidden states of positions [heldFrom, heldFrom + held), waiting to be paired.
  private float[] targetHidden; // (held, H)
  private int heldFrom;
  private int held;

  // The proposal tree under construction; node 0 is the root.
  private final int[] tokens; // (1 + maxDrafts)
  private final int[] parents; // (1 + maxDrafts)
  private final double[] scores; // (1 + maxDrafts) path probability
  private final float[] confidences; // (1 + maxDrafts) per node: the module's belief in it
  private final DraftConfidence confidence;
  private final float[] nodeHidden; // (1 + maxDrafts, H) hidden input of each node's pair
  private final float[][] q; // (1 + maxDrafts)(V) per expanded node when sampling; lazy rows
  private final int[] frontier; // (1 + maxDrafts) nodes of the deepest level
  private int size;
  private final DraftDistributions sampledDistributions;

  private boolean awaitingVerdict;
  private long tokensRun;
  private long passes;

  private MtpDrafter(
      MtpModule module, SamplingConfig sampling, MtpConfig config, RandomGenerator rng) {
    this.module = module;
    this.sampling = sampling;
    this.config = config;
    this.rng = rng;
    this.vocab = module.info().vocabSize();
    this.width = module.info().hiddenSize();
    this.warper = new LogitsWarper(vocab);
    this.logits = new float[vocab];
    this.probs = new float[vocab];
    this.row = new float[width];
    this.targetHidden = new float[64 * width];
    int nodes = config.maxDrafts() + 1;
    this.tokens = new int[nodes];
    this.parents = new int[nodes];
    this.scores = new double[nodes];
    this.confidences = new float[nodes];
    this.confidence = DraftConfidence.of(confidences);
    this.nodeHidden = new float[nodes * width];
    this.q = new float[nodes][];
    this.frontier = new int[nodes];
    this.sampledDistributions = node -> node >= 0 && node < size ? q[node] : null;
  }

  /**
   * A drafter over {@code module}, which it owns from now on. The module must have been loaded for
   * the target it drafts for ({@code Engine.loadMtp} checks that).
   *
   * @param sampling the target's warping, for exact rejection sampling; temperature 0 drafts the
   *     top tokens deterministically
   * @param rng draws sampled drafts (unused at temperature 0)
   */
  public static MtpDrafter of(
      MtpModule module, SamplingConfig sampling, MtpConfig config, RandomGenerator rng) {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(rng, "rng");
    return new MtpDrafter(module, sampling, config, rng);
  }

  @Override
  public void targetCommitting(int firstPosition, int[] nodes, ForwardOutput pass) {
    int expected = heldFrom + held;
    if (firstPosition != expected) {
      throw new IllegalStateException(
          "MTP drafter: the target commits position "
              + firstPosition
              + " but the drafter expected position "
              + expected
              + ": every committed target position must reach targetCommitting() in order"
              + " (call reset() before a new sequence)");
    }
    if (pass.hiddenSize() != width) {
      throw new IllegalArgumentException(
          "MTP drafter: expected target hidden states of size "
              + width
              + " (the module's), found "
              + pass.hiddenSize());
    }
    int needed = (held + nodes.length) * width;
    if (needed > targetHidden.length) {
      targetHidden = Arrays.copyOf(targetHidden, Math.max(needed, 2 * targetHidden.length));
    }
    for (int node : nodes) {
      pass.copyHiddenState(node, row);
      System.arraycopy(row, 0, targetHidden, held * width, width);
      held++;
    }
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    return propose(context, maxDrafts, DraftStop.NEVER);
  }

  /**
   * Proposes as {@link #propose(TokenContext, int)} does, asking {@code stop} after each level
   * whether to run the module once more for the next: the confidence it is shown is that of the
   * level's best-scoring node, so a chain is asked about its own node.
   */
  @Override
  public Proposal propose(TokenContext context, int maxDrafts, DraftStop stop) {
    Objects.requireNonNull(stop, "stop");
    if (maxDrafts < 0) {
      throw new IllegalArgumentException("maxDrafts must be >= 0, was " + maxDrafts);
    }
    int n = context.length();
    int cached = module.cacheLength();
    module.truncate(cached); // drops the last proposal's uncommitted pass, if any
    if (heldFrom != cached || heldFrom + held != n - 1) {
      throw new IllegalStateException(
          "MTP drafter: a context of "
              + n
              + " tokens needs the target's hidden states of positions "
              + cached
              + ".."
              + (n - 2)
              + ", but it holds positions "
              + heldFrom
              + ".."
              + (heldFrom + held - 1)
              + ": the decode loop must pass every target commit to targetCommitting()"
              + " (SpeculativeDecoder does)");
    }
    awaitingVerdict = true;
    size = 1;
    tokens[0] = context.last();
    int budget = Math.min(config.maxDrafts(), maxDrafts);
    // The root sits in slot n - 2 and a node of depth d in slot n - 2 + d.
    int depth = Math.min(config.depth(), Math.min(budget, module.capacity() + 1 - n));
    if (held == 0 || depth <= 0) {
      return Proposal.rootOnly(context.last());
    }

    // 1. Catch up: the pairs of slots cached..n-2, the root's last.
    int[] chain = new int[held];
    for (int i = 0; i < held; i++) {
      chain[i] = context.token(cached + 1 + i);
    }
    ForwardOutput out = run(TokenTree.chainOf(chain), targetHidden);
    int rootRow = held - 1;
    out.copyLogits(rootRow, logits);
    out.copyHiddenState(rootRow, row);
    System.arraycopy(targetHidden, rootRow * width, nodeHidden, 0, width);
    parents[0] = -1;
    scores[0] = 1.0;
    // Slots before the root's are final: commit them and forget their hidden states.
    module.commitPrefix(rootRow);
    System.arraycopy(targetHidden, rootRow * width, targetHidden, 0, width);
    heldFrom += rootRow;
    held = 1;

    // 2. Level 1 from the root's row; level d + 1 from one pass over the levels 0..d.
    expand(0, Math.min(config.branches(), budget));
    int frontierSize = 0;
    for (int node = 1; node < size; node++) {
      frontier[frontierSize++] = node;
    }
    for (int level = 2; level <= depth && size - 1 < budget; level++) {
      sortByScore(frontier, frontierSize);
      if (!stop.deeper(level - 1, confidences[frontier[0]])) {
        break;
      }
      out =
          run(TokenTree.of(Arrays.copyOf(tokens, size), Arrays.copyOf(parents, size)), nodeHidden);
      sortByScore(frontier, frontierSize);
      int levelStart = size;
      for (int f = 0; f < frontierSize && size - 1 < budget; f++) {
        int node = frontier[f];
        out.copyLogits(node, logits);
        out.copyHiddenState(node, row);
        expand(node, Math.min(config.branches(), budget - (size - 1)));
      }
      frontierSize = 0;
      for (int node = levelStart; node < size; node++) {
        frontier[frontierSize++] = node;
      }
    }
    module.truncate(module.cacheLength()); // the draft rows are never kept
    TokenTree tree = TokenTree.of(Arrays.copyOf(tokens, size), Arrays.copyOf(parents, size));
    return new Proposal(
        tree,
        sampling.isGreedy() ? DraftDistributions.deterministic() : sampledDistributions,
        confidence);
  }

  private ForwardOutput run(TokenTree tree, float[] hidden) {
    passes++;
    tokensRun += tree.size();
    return module.forward(tree, hidden);
  }

  /**
   * Adds {@code count} children under {@code node} from the logits row in {@link #logits}; each
   * child's hidden input is the node's {@code hidden_states_out}, in {@link #row}.
   */
  private void expand(int node, int count) {
    if (sampling.isGreedy()) {
      boolean ranked = config.branches() > 1;
      if (ranked) {
        Distributions.toProbabilities(logits, RANKING, probs);
      }
      for (int c = 0; c < count; c++) {
        int best = -1;
        for (int t = 0; t < vocab; t++) {
          if ((best < 0 || logits[t] > logits[best]) && !isChild(node, t)) {
            best = t;
          }
        }
        float p = ranked ? probs[best] : DraftModelDrafter.softmaxOf(logits, best);
        add(node, best, ranked ? scores[node] * probs[best] : scores[node], p);
      }
      return;
    }
    if (q[node] == null) {
      q[node] = new float[vocab];
    }
    warper.warp(logits, sampling, q[node]);
    // Sampled children share one confidence, the largest probability of q: never their own draw.
    float max = 0f;
    for (float p : q[node]) {
      max = Math.max(max, p);
    }
    for (int c = 0; c < count; c++) {
      int token = Sampler.sample(q[node], rng);
      add(node, token, scores[node] * q[node][token], max);
    }
  }

  private boolean isChild(int node, int token) {
    for (int i = size - 1; i > node; i--) {
      if (parents[i] == node && tokens[i] == token) {
        return true;
      }
    }
    return false;
  }

  private void add(int parent, int token, double score, float conditional) {
    confidences[size] = conditional;
    tokens[size] = token;
    parents[size] = parent;
    scores[size] = score;
    System.arraycopy(row, 0, nodeHidden, size * width, width);
    size++;
  }

  /** Insertion sort by descending score, ties by node index (levels hold at most 64 nodes). */
  private void sortByScore(int[] nodes, int count) {
    for (int i = 1; i < count; i++) {
      int node = nodes[i];
      int j = i - 1;
      while (j >= 0
          && (scores[nodes[j]] < scores[node]
              || (scores[nodes[j]] == scores[node] && nodes[j] > node))) {
        nodes[j + 1] = nodes[j];
        j--;
      }
      nodes[j + 1] = node;
    }
  }

  @Override
  public void accepted(int[] path) {
    if (!awaitingVerdict) {
      throw new IllegalStateException("accepted() without a proposal to accept: call propose()");
    }
    if (path.length < 1 || path.length > size || path[0] != 0) {
      throw new IllegalArgumentException(
          "accepted path "
              + Arrays.toString(path)
              + " is not a root-first path of the last proposal ("
              + size
              + " nodes)");
    }
    // Nothing to roll back: no draft row was committed. The accepted pairs arrive with the
    // target's hidden states through targetCommitting() and are cached on the next propose().
    awaitingVerdict = false;
  }

  @Override
  public void reset() {
    module.truncate(0);
    heldFrom = 0;
    held = 0;
    size = 0;
    awaitingVerdict = false;
  }

  @Override
  public String name() {
    return "mtp";
  }

  /** The settings. */
  public MtpConfig config() {
    return config;
  }

  /** Pairs run through the module since it was made (all sequences): catch-up and draft rows. */
  public long tokensRun() {
    return tokensRun;
  }

  /** Module passes since it was made. */
  public long passes() {
    return passes;
  }

  /** Slots committed in the module's cache. */
  public int cacheLength() {
    return module.cacheLength();
  }

  /** Closes the module; idempotent as the module's close is. */
  @Override
  public void close() {
    module.close();
  }
}
