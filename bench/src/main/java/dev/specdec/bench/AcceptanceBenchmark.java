package dev.specdec.bench;

import dev.specdec.drafting.Proposal;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.LogitsWarper;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import dev.specdec.verification.AcceptanceRule;
import dev.specdec.verification.TargetDistributions;
import dev.specdec.verification.Verdict;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long does verifying one chain of k drafts take on the Java side, once the target's logits are
 * there? Runs the real {@link AcceptanceRule}s and {@link TargetDistributions} (argmax for greedy;
 * temperature warping, softmax and residuals for rejection sampling) over a synthetic pass of k + 1
 * logit rows.
 *
 * <p>Greedy drafts are the target's argmax at every node, so the walk always accepts all k drafts
 * and reads every row: its worst case. Rejection-sampling drafts are the argmax of a draft
 * distribution q = softmax(target logits + N(0, 1) noise); how many get accepted varies with the
 * generator, as in a real decode.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AcceptanceBenchmark {
  /** The acceptance rule. */
  @Param({"greedy", "rejection-sampling"})
  public String rule;

  /** Vocabulary size V. */
  @Param({"512", "8192"})
  public int vocab;

  /** Drafts in the chain. */
  @Param({"4", "8"})
  public int k;

  private AcceptanceRule acceptance;
  private Proposal proposal;
  private ArrayForwardOutput output;
  private TargetDistributions distributions;
  private SplittableRandom random;

  /** Makes the synthetic pass, the drafts and their distributions. */
  @Setup
  public void setUp() {
    SplittableRandom data = new SplittableRandom(1234);
    float[][] logits = new float[k + 1][vocab]; // (k + 1, V)
    for (float[] row : logits) {
      for (int v = 0; v < vocab; v++) {
        row[v] = (float) (3 * data.nextGaussian());
      }
    }
    output = new ArrayForwardOutput(logits);
    int[] drafts = new int[k];
    Proposal made;
    switch (rule) {
      case "greedy" -> {
        acceptance = AcceptanceRule.greedy();
        distributions = TargetDistributions.create(SamplingConfig.greedy(), vocab);
        for (int j = 0; j < k; j++) {
          drafts[j] = Distributions.argmax(logits[j]);
        }
        made = Proposal.deterministic(TokenTree.chain(7, drafts));
      }
      case "rejection-sampling" -> {
        acceptance = AcceptanceRule.rejectionSampling();
        SamplingConfig sampling = SamplingConfig.temperature(1.0);
        distributions = TargetDistributions.create(sampling, vocab);
        LogitsWarper warper = new LogitsWarper(vocab);
        float[][] q = new float[k][vocab]; // (k, V): q[j] drew the draft at depth j + 1
        float[] noisy = new float[vocab];
        for (int j = 0; j < k; j++) {
          for (int v = 0; v < vocab; v++) {
            noisy[v] = logits[j][v] + (float) data.nextGaussian();
          }
          warper.warp(noisy, sampling, q[j]);
          drafts[j] = Distributions.argmax(q[j]);
        }
        made = new Proposal(TokenTree.chain(7, drafts), node -> node < k ? q[node] : null);
      }
      default -> throw new IllegalArgumentException("unknown rule '" + rule + "'");
    }
    proposal = made;
    random = new SplittableRandom(42);
  }

  /** One verdict: bind the pass, walk the chain, pick the next token. */
  @Benchmark
  public Verdict decide() {
    return acceptance.decide(proposal, distributions.bind(output), random);
  }
}
