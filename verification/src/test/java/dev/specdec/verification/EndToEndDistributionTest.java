package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.chiSquarePValue;
import static dev.specdec.verification.TestSupport.referenceWarp;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.sampling.SamplingConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The decode loop on fakes: the first two sampled tokens follow the target's warped joint law. */
class EndToEndDistributionTest {
  private static final int V = 8;
  private static final int N = 40_000;
  private static final SamplingConfig SAMPLING = new SamplingConfig(0.9, 6, 0.95);
  private static final int[] PROMPT = {1, 5, 2};

  private static double[] expectedJoint(FakeLm target) {
    double[] p0 = referenceWarp(target.logitsAfter(PROMPT), 0.9, 6, 0.95);
    double[] joint = new double[V * V];
    for (int a = 0; a < V; a++) {
      double[] p1 = referenceWarp(target.logitsAfter(new int[] {1, 5, 2, a}), 0.9, 6, 0.95);
      for (int b = 0; b < V; b++) {
        joint[a * V + b] = p0[a] * p1[b];
      }
    }
    return joint;
  }

  private static long[] firstTwo(SpeculativeDecoder decoder) {
    long[] counts = new long[V * V];
    for (int seed = 0; seed < N; seed++) {
      int[] t = decoder.generate(PROMPT, GenerationRequest.of(4, seed), x -> {}).tokens();
      counts[t[0] * V + t[1]]++;
    }
    return counts;
  }

  @Test
  void speculativeSamplingMatchesTheTargetsJointDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    FakeLm draftLm = FakeLm.draftOf(target, 64, 52, 0.6);
    SpeculativeDecoder decoder =
        SpeculativeDecoder.builder(target)
            .drafter(Drafter.draftModel(draftLm, SAMPLING, 3, new SplittableRandom(53)))
            .sampling(SAMPLING)
            .draftTokens(3)
            .build();
    double pValue = chiSquarePValue(expectedJoint(target), firstTwo(decoder));
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void plainSamplingMatchesTheSameDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    SpeculativeDecoder decoder = SpeculativeDecoder.builder(target).sampling(SAMPLING).build();
    double pValue = chiSquarePValue(expectedJoint(target), firstTwo(decoder));
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }
}
