package dev.specdec.eval;

import dev.specdec.model.CausalLm;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.tree.TokenTree;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import dev.specdec.verification.VerifyOverhead;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the target charges on this machine, as {@link SpeedPrediction} prices step records with it:
 * a pass over T tokens after P positions ({@link PassCost}), the verification step's work beyond
 * the pass per T ({@link VerifyOverhead}), and how much slower a pass runs right after a drafter's
 * work ({@code interference}).
 *
 * <p>Why the interference: the probes time the target alone, with its weights hot in the caches. In
 * a speculative step the drafter runs first (a draft model's passes, Medusa heads, the MTP module)
 * and leaves the caches holding its own weights, so the target's next pass reloads its own: the
 * eval runs of 2026-12-04 showed the verification passes of the draft-model, Medusa and MTP configs
 * 10–40 % above the probe, growing with the drafter's time, while plain runs matched it within 5 %.
 *
 * @param target the target's pass cost
 * @param verify the verification step's extra work per token count
 * @param interference the target's extra pass time per nanosecond of drafter work right before it,
 *     in [0, 1] (0: none measured)
 */
public record CostModel(PassCost target, VerifyOverhead verify, double interference) {

  /** Samples of each kind the interference probe times (a pass alone, a pass after the drafter). */
  private static final int INTERFERENCE_ROUNDS = 100;

  /** Draft-model passes before each "after" sample: a typical chain's worth of drafter work. */
  private static final int INTERFERENCE_DRAFT_PASSES = 4;

  /** Validates presence and range. */
  public CostModel {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(verify, "verify");
    if (!(interference >= 0 && interference <= 1)) {
      throw new IllegalArgumentException("interference must be in [0, 1], was " + interference);
    }
  }

  /** A model without interference. */
  public CostModel(PassCost target, VerifyOverhead verify) {
    this(target, verify, 0);
  }

  /** A model of passes alone: no work beyond them. */
  public static CostModel of(PassCost target) {
    return new CostModel(target, VerifyOverhead.NONE);
  }

  /**
   * Probes {@code bundle}'s target afresh (about a second on the shipped bundle): its pass cost,
   * its verification overhead at 200 past positions (or half the context when smaller) and, when
   * the bundle has a draft model, the interference ({@link #probeInterference}; 0 without one). Not
   * the pass-cost cache: adaptive decoding rescales the cached cost towards what it observes, which
   * is right for budgets and wrong for a prediction that must hold in every regime.
   */
  public static CostModel probe(ModelBundle bundle, Device device, EngineOptions options)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    String setting = options.costSetting(device);
    try (Engine engine = Engine.create(options, Cancellation.create());
        CausalLm target = engine.loadCausalLm(bundle.target(), device)) {
      PassCost cost = PassCost.probe(target, PassCostCache.keyFor(bundle.target(), setting));
      int past = Math.min(200, target.capacity() / 2);
      VerifyOverhead verify = VerifyOverhead.probe(target, cost, past);
      double interference = 0;
      if (bundle.draft().isPresent()) {
        try (CausalLm draft = engine.loadCausalLm(bundle.draft().get(), device)) {
          interference = probeInterference(target, draft, Math.min(past, draft.capacity() / 2));
        }
      }
      return new CostModel(cost, verify, interference);
    }
  }

  /**
   * The target's extra pass time per nanosecond of {@code drafter} work right before it: rounds
   * alternate a target pass over 5 tokens timed alone and one timed after {@value
   * #INTERFERENCE_DRAFT_PASSES} single-token drafter passes (timed too), after {@code past} filler
   * positions in both caches; the median over rounds of (after − alone), paired so that the
   * machine's drift cancels, over the median drafter time, clamped to [0, 1]. Leaves both caches
   * empty.
   */
  static double probeInterference(CausalLm target, CausalLm drafter, int past) {
    int vocab = Math.min(target.info().vocabSize(), drafter.info().vocabSize());
    int[] prompt = new int[past];
    for (int i = 0; i < past; i++) {
      prompt[i] = 1 + i % Math.max(1, vocab - 1);
    }
    try {
      for (CausalLm m : List.of(target, drafter)) {
        m.truncate(0);
        if (past > 0) {
          m.forward(TokenTree.chainOf(prompt));
          m.commitPrefix(past);
        }
      }
      TokenTree verify = TokenTree.chainOf(new int[] {1, 2, 3, 4, 5});
      TokenTree draft = TokenTree.chainOf(new int[] {7});
      long[] slowdown = new long[INTERFERENCE_ROUNDS];
      long[] drafting = new long[INTERFERENCE_ROUNDS];
      for (int w = 0; w < 4; w++) {
        drafter.forward(draft);
        target.forward(verify);
      }
      for (int r = 0; r < INTERFERENCE_ROUNDS; r++) {
        target.forward(verify); // the "alone" sample follows a target pass, as in plain decoding
        long t0 = System.nanoTime();
        target.forward(verify);
        long alone = System.nanoTime() - t0;
        long d0 = System.nanoTime();
        for (int d = 0; d < INTERFERENCE_DRAFT_PASSES; d++) {
          drafter.forward(draft);
        }
        long d1 = System.nanoTime();
        target.forward(verify);
        slowdown[r] = System.nanoTime() - d1 - alone;
        drafting[r] = d1 - d0;
      }
      double beta = median(slowdown) / median(drafting);
      return Double.isFinite(beta) ? Math.max(0, Math.min(1, beta)) : 0;
    } finally {
      target.truncate(0);
      drafter.truncate(0);
    }
  }

  private static double median(long[] samples) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * The model as text: the target's pass cost table ({@link PassCosts#toText}) and the verification
   * overhead per token count.
   */
  public String toText() {
    StringBuilder out = new StringBuilder(PassCosts.toText(java.util.Map.of("target", target)));
    out.append("verification beyond the pass, us per step by T:");
    int[] t = verify.tokens();
    double[] n = verify.nanos();
    for (int i = 0; i < t.length; i++) {
      out.append(String.format(java.util.Locale.ROOT, " %d:%.0f", t[i], n[i] / 1e3));
    }
    out.append(
        String.format(
            java.util.Locale.ROOT,
            "%ntarget pass slowdown after drafter work: %.3f ns per drafter ns%n",
            interference));
    return out.toString();
  }
}
