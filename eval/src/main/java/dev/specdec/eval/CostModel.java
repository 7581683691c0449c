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
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import dev.specdec.verification.VerifyOverhead;
import java.io.IOException;
import java.util.Objects;

/**
 * What the target charges on this machine, as {@link SpeedPrediction} prices step records with it:
 * a pass over T tokens after P positions ({@link PassCost}) and the verification step's work beyond
 * the pass per T ({@link VerifyOverhead}).
 *
 * @param target the target's pass cost
 * @param verify the verification step's extra work per token count
 */
public record CostModel(PassCost target, VerifyOverhead verify) {

  /** Validates presence. */
  public CostModel {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(verify, "verify");
  }

  /** A model of passes alone: no work beyond them. */
  public static CostModel of(PassCost target) {
    return new CostModel(target, VerifyOverhead.NONE);
  }

  /**
   * Probes {@code bundle}'s target afresh (about a second on the shipped bundle): its pass cost and
   * its verification overhead at 200 past positions (or half the context when smaller). Not the
   * pass-cost cache: adaptive decoding rescales the cached cost towards what it observes, which is
   * right for budgets and wrong for a prediction that must hold in every regime.
   */
  public static CostModel probe(ModelBundle bundle, Device device, EngineOptions options)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    String setting = options.costSetting(device);
    try (Engine engine = Engine.create(options, Cancellation.create());
        CausalLm target = engine.loadCausalLm(bundle.target(), device)) {
      PassCost cost = PassCost.probe(target, PassCostCache.keyFor(bundle.target(), setting));
      VerifyOverhead verify =
          VerifyOverhead.probe(target, cost, Math.min(200, target.capacity() / 2));
      return new CostModel(cost, verify);
    }
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
    return out.append('\n').toString();
  }
}
