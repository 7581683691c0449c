package dev.specdec.verification;

import dev.specdec.drafting.Proposal;
import dev.specdec.sampling.Sampler;
import dev.specdec.tree.TokenTree;
import java.util.random.RandomGenerator;

/**
 * Walks a proposed tree against the target's distributions and decides which path to keep and which
 * token follows it.
 *
 * <p>A closed set: {@link Greedy} for temperature 0, {@link RejectionSampling} for any temperature
 * (exact), and {@link Typical} (faster, not distribution-preserving); callers may {@code switch}
 * over it exhaustively.
 */
public sealed interface AcceptanceRule
    permits AcceptanceRule.Greedy, AcceptanceRule.RejectionSampling, AcceptanceRule.Typical {

  /** Greedy verification; see {@link Greedy}. */
  static AcceptanceRule greedy() {
    return new Greedy();
  }

  /** Exact speculative sampling; see {@link RejectionSampling}. */
  static AcceptanceRule rejectionSampling() {
    return new RejectionSampling();
  }

  /**
   * Medusa's typical acceptance with its defaults, epsilon 0.09 and delta 0.3; see {@link Typical}.
   */
  static AcceptanceRule typical() {
    return new Typical(Typical.DEFAULT_EPSILON, Typical.DEFAULT_DELTA);
  }

  /** Medusa's typical acceptance with the given thresholds; see {@link Typical}. */
  static AcceptanceRule typical(double epsilon, double delta) {
    return new Typical(epsilon, delta);
  }

  /** A short name for reports: {@code greedy}, {@code rejection-sampling} or {@code typical}. */
  String name();

  /**
   * Decides one pass.
   *
   * @param proposal the tree the target ran, with the draft distributions
   * @param target the target's distributions over the same pass
   * @param rng the decode loop's generator (greedy draws nothing)
   */
  Verdict decide(Proposal proposal, TargetDistributions target, RandomGenerator rng);

  /**
   * From the root, take the target's argmax at node u; if a child of u carries it, move there and
   * go on, otherwise stop. The next token is the argmax at the last node. With greedy target
   * sampling the output equals plain greedy decoding, token for token, for chains and trees.
   */
  record Greedy() implements AcceptanceRule {
    @Override
    public String name() {
      return "greedy";
    }

    @Override
    public Verdict decide(Proposal proposal, TargetDistributions target, RandomGenerator rng) {
      TokenTree tree = proposal.tree();
      int node = 0;
      while (true) {
        int best = target.argmax(node);
        int child = tree.childWithToken(node, best);
        if (child < 0) {
          return new Verdict(tree.pathTo(node), best);
        }
        node = child;
      }
    }
  }

  /**
   * Speculative sampling (Leviathan et al. 2023; Chen et al. 2023), with SpecInfer's recursive
   * rejection over siblings (Miao et al. 2024).
   *
   * <p>At node u with target distribution p (warped) and draft distribution q = {@code
   * proposal.draftDistribution(u)} ({@code null}: each child's q is a point mass at its own token),
   * the children are tried in insertion order against a residual r, starting at r = p: child x is
   * accepted with probability min(1, r(x) / q(x)), and the walk continues below it. After each
   * rejection r becomes norm(max(0, r − q)); if that has no mass (only when r == q up to rounding)
   * r is kept. When every child is rejected the next token is drawn from r; at a leaf (every draft
   * on the path accepted) the bonus token is drawn from p.
   *
   * <p>Exact for: chains; siblings chosen deterministically (distinct tokens, q a point mass at
   * each, so a rejection zeroes r at that token); and siblings sampled independently, with
   * replacement, from the same q (q unchanged between siblings). Siblings sampled without
   * replacement would need q renormalized after each one; no drafter here does that.
   */
  record RejectionSampling() implements AcceptanceRule {
    @Override
    public String name() {
      return "rejection-sampling";
    }

    @Override
    public Verdict decide(Proposal proposal, TargetDistributions target, RandomGenerator rng) {
      return decide(proposal, target, rng, false);
    }

    /**
     * The rule, or with {@code resampleFromTarget} a deliberately wrong variant that draws the
     * correction from p instead of the residual: tests use it to show that their statistics catch a
     * biased rule.
     */
    static Verdict decide(
        Proposal proposal,
        TargetDistributions target,
        RandomGenerator rng,
        boolean resampleFromTarget) {
      TokenTree tree = proposal.tree();
      int node = 0;
      while (true) {
        float[] p = target.probabilities(node);
        float[] r = p;
        float[] q = tree.firstChild(node) >= 0 ? proposal.draftDistribution(node) : null;
        int acceptedChild = -1;
        for (int c = tree.firstChild(node); c >= 0; c = tree.nextSibling(c)) {
          int x = tree.token(c);
          double qx = q == null ? 1.0 : q[x];
          // u < r(x) / q(x), written without the division so that q(x) == 0 accepts when r(x) > 0.
          if (rng.nextDouble() * qx < r[x]) {
            acceptedChild = c;
            break;
          }
          if (resampleFromTarget) {
            continue;
          }
          if (r == p) {
            r = target.scratch();
            System.arraycopy(p, 0, r, 0, p.length);
          }
          subtractAndNormalize(r, q, x);
        }
        if (acceptedChild < 0) {
          return new Verdict(tree.pathTo(node), Sampler.sample(r, rng));
        }
        node = acceptedChild;
      }
    }

    /** r ← norm(max(0, r − q)), q null meaning a point mass at x; r unchanged if that is empty. */
    private static void subtractAndNormalize(float[] r, float[] q, int x) {
      if (q == null) {
        double mass = 0;
        for (int i = 0; i < r.length; i++) {
          if (i != x) {
            mass += r[i];
          }
        }
        if (mass > 0) {
          r[x] = 0f;
          scale(r, 1.0 / mass);
        }
        return;
      }
      double mass = 0;
      for (int i = 0; i < r.length; i++) {
        mass += Math.max(0f, r[i] - q[i]);
      }
      if (mass > 0) {
        double inv = 1.0 / mass;
        for (int i = 0; i < r.length; i++) {
          r[i] = (float) (Math.max(0f, r[i] - q[i]) * inv);
        }
      }
    }

    private static void scale(float[] r, double factor) {
      for (int i = 0; i < r.length; i++) {
        r[i] = (float) (r[i] * factor);
      }
    }
  }

  /**
   * Typical acceptance (Cai et al. 2024, Medusa): a draft x below node u is accepted when the
   * target's (warped) p at u gives it {@code p(x) > min(epsilon, delta * exp(-H(p)))}, H the
   * entropy of p in nats. Every root-to-node path whose drafts all pass is a candidate; the deepest
   * wins (ties: the lowest node index), and the next token is drawn from p at its last node.
   *
   * <p>Faster than rejection sampling on confident targets, because plausible drafts are accepted
   * outright, but NOT distribution-preserving: the output follows a different distribution than
   * sampling the target, except at temperature 0, where p is one-hot and the rule equals {@link
   * Greedy}.
   *
   * @param epsilon hard threshold, in {@code (0, 1]}
   * @param delta entropy-scaled threshold factor, {@code >= 0}
   */
  record Typical(double epsilon, double delta) implements AcceptanceRule {
    /** Medusa's default hard threshold. */
    public static final double DEFAULT_EPSILON = 0.09;

    /** Medusa's default entropy factor. */
    public static final double DEFAULT_DELTA = 0.3;

    /** Validates the thresholds. */
    public Typical {
      if (!(epsilon > 0 && epsilon <= 1)) {
        throw new IllegalArgumentException(
            "typical acceptance epsilon must be in (0, 1], was " + epsilon);
      }
      if (!(delta >= 0) || Double.isInfinite(delta)) {
        throw new IllegalArgumentException(
            "typical acceptance delta must be a finite number >= 0, was " + delta);
      }
    }

    @Override
    public String name() {
      return "typical";
    }

    @Override
    public Verdict decide(Proposal proposal, TargetDistributions target, RandomGenerator rng) {
      TokenTree tree = proposal.tree();
      boolean[] accepted = new boolean[tree.size()];
      accepted[0] = true;
      int best = 0;
      double threshold = Double.NaN; // of the node whose p is cached in `thresholdOf`
      int thresholdOf = -1;
      for (int node = 1; node < tree.size(); node++) {
        int parent = tree.parent(node);
        if (!accepted[parent]) {
          continue;
        }
        float[] p = target.probabilities(parent);
        if (thresholdOf != parent) {
          threshold = Math.min(epsilon, delta * Math.exp(-entropy(p)));
          thresholdOf = parent;
        }
        if (p[tree.token(node)] > threshold) {
          accepted[node] = true;
          if (tree.depth(node) > tree.depth(best)) {
            best = node;
          }
        }
      }
      return new Verdict(tree.pathTo(best), Sampler.sample(target.probabilities(best), rng));
    }

    private static double entropy(float[] p) {
      double h = 0;
      for (float x : p) {
        if (x > 0) {
          h -= x * Math.log(x);
        }
      }
      return h;
    }
  }
}
