package dev.specdec.eval;

import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.StepRecord;
import dev.specdec.verification.VerifyOverhead;
import java.util.List;
import java.util.Objects;

/**
 * A configuration's speedup predicted from its step records and the machine's cost model, not from
 * the speculative runs' wall time.
 *
 * <p>Per speculative step the prediction prices what the step did: one target pass over the tree it
 * verified (T = the tree's nodes, root included) after the positions already cached (P), from the
 * target's {@link PassCost} probe; the verification work beyond the pass that a step over T tokens
 * does more than a one-token step ({@link VerifyOverhead}, probed on the target alone); the same
 * per-pass overhead a plain step pays outside its pass; and the drafter's propose time as the step
 * recorded it, plus the slowdown that work causes the target's next pass ({@link
 * CostModel#interference()} per drafter nanosecond, probed with the draft model). Per plain step:
 * one pass over T = 1 and the overhead. Predicted speedup per prompt = (prefill + plain steps) /
 * (prefill + speculative steps), averaged over prompts as the observed speedup is.
 *
 * <p>Why the overhead: the probe times short blocks of each pass shape, and a steady stream of
 * single-token passes runs below its T = 1 cell, while the decode loop adds sampling and
 * bookkeeping outside the pass. Both are one number per machine and target, {@code overhead = plain
 * decode time / plain passes − mean probe cost of those passes}, measured on the plain runs (the
 * baseline, not the runs being predicted); it may be negative. So the prediction reproduces the
 * plain runs' decode time, and what it predicts is how the speculative steps' passes, larger than
 * one token, cost on this machine. The verifier's recorded times ({@link StepRecord#verifyNanos()})
 * and the speculative runs' decode time are never read.
 *
 * @param speedup the mean over prompts of predicted plain time ÷ predicted speculative time; {@code
 *     NaN} without a cost model
 * @param overheadNanos the per-pass overhead beyond the probe's cost, from the plain runs ({@code
 *     NaN} without a cost model)
 * @param costKey the cost model's key (model file, device, threads), or "" without one
 */
public record SpeedPrediction(double speedup, double overheadNanos, String costKey) {

  /** Validates presence. */
  public SpeedPrediction {
    Objects.requireNonNull(costKey, "costKey");
  }

  /** What is reported when no cost model was available. */
  public static final SpeedPrediction NONE = new SpeedPrediction(Double.NaN, Double.NaN, "");

  /**
   * The prediction for {@code runs} under {@code model}.
   *
   * @throws IllegalArgumentException when {@code runs} is empty
   */
  public static SpeedPrediction of(List<PromptRun> runs, CostModel model) {
    Objects.requireNonNull(model, "model");
    PassCost target = model.target();
    VerifyOverhead verify = model.verify();
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to predict");
    }
    double plainDecode = 0;
    double plainModelled = 0;
    long plainPasses = 0;
    for (PromptRun run : runs) {
      DecodeStats p = run.plain().stats();
      plainDecode += p.decodeNanos();
      plainModelled += plainPassNanos(run, target);
      plainPasses += p.targetPasses();
    }
    double overhead = plainPasses == 0 ? 0 : (plainDecode - plainModelled) / plainPasses;
    double sum = 0;
    int counted = 0;
    for (PromptRun run : runs) {
      double prefill = run.plain().stats().prefillNanos();
      double plain = prefill + plainPassNanos(run, target) + overhead * plainPasses(run);
      double speculative = prefill;
      for (StepRecord step : run.steps()) {
        int past = run.promptTokens() - 1 + step.emittedBefore();
        int t = step.tree().size();
        // The plain step's overhead already holds a one-token step's verification work; a step
        // over t tokens does more of it.
        double extra = verify.nanos(t) - verify.nanos(1);
        speculative +=
            target.nanos(t, past)
                + extra
                + overhead
                + step.draftNanos() * (1 + model.interference());
      }
      double s = plain / speculative;
      if (Double.isFinite(s) && s > 0) {
        sum += s;
        counted++;
      }
    }
    return new SpeedPrediction(counted == 0 ? Double.NaN : sum / counted, overhead, target.key());
  }

  /** The probe's cost of a plain run's passes: one token each, after a growing past. */
  private static double plainPassNanos(PromptRun run, PassCost target) {
    double nanos = 0;
    int past = run.promptTokens() - 1;
    for (int i = 0; i < plainPasses(run); i++) {
      nanos += target.nanos(1, past + i);
    }
    return nanos;
  }

  private static int plainPasses(PromptRun run) {
    return run.plain().stats().targetPasses();
  }

  /** Predicted ÷ observed − 1: the prediction's relative error ({@code NaN} when unknown). */
  public double errorAgainst(double observed) {
    double e = speedup / observed - 1;
    return Double.isFinite(e) ? e : Double.NaN;
  }
}
