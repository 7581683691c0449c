package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.specdec.model.testing.FakeLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/** Fixtures and statistics shared by the verification tests. */
final class TestSupport {
  private TestSupport() {}

  /** The repository root, where the committed test models live ({@code specdec.root}). */
  static Path root() {
    return Path.of(System.getProperty("specdec.root", ".."));
  }

  /** BOS and {@code length - 1} seeded random ordinary tokens of the test models' vocabulary. */
  static int[] randomPrompt(SplittableRandom random, int length) {
    int[] prompt = new int[length];
    prompt[0] = 1; // BOS
    for (int i = 1; i < length; i++) {
      prompt[i] = 3 + random.nextInt(500);
    }
    return prompt;
  }

  /** Logits whose softmax at temperature 1 is {@code probs} (log 0 = -Infinity). */
  static float[] logitsOf(double... probs) {
    float[] out = new float[probs.length];
    for (int i = 0; i < probs.length; i++) {
      out[i] = (float) Math.log(probs[i]);
    }
    return out;
  }

  /**
   * Plain reference warping in double: softmax(logits / T), top-k by a boxed sort (ties to the
   * lower id), top-p over the top-k mass, renormalized. Independent of dev.specdec.sampling.
   */
  static double[] referenceWarp(float[] logits, double temperature, int topK, double topP) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    for (int i = 0; i < v; i++) {
      p[i] /= sum;
    }
    Integer[] ids = IntStream.range(0, v).boxed().toArray(Integer[]::new);
    Arrays.sort(ids, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
    int kept = topK == 0 ? v : Math.min(topK, v);
    double keptMass = 0;
    for (int r = 0; r < kept; r++) {
      keptMass += p[ids[r]];
    }
    int n = 0;
    double cumulative = 0;
    while (n < kept && (topP >= 1 || cumulative < topP * keptMass)) {
      cumulative += p[ids[n++]];
    }
    double[] out = new double[v];
    for (int r = 0; r < n; r++) {
      out[ids[r]] = p[ids[r]] / cumulative;
    }
    return out;
  }

  /**
   * The chi-square goodness-of-fit p-value of {@code observed} against probabilities {@code
   * expected}. Cells with zero expected probability must be empty (asserted) and are dropped; cells
   * with an expected count under 5 are pooled into one.
   */
  static double chiSquarePValue(double[] expected, long[] observed) {
    long n = Arrays.stream(observed).sum();
    List<Double> e = new ArrayList<>();
    List<Long> o = new ArrayList<>();
    double pooledE = 0;
    long pooledO = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] == 0) {
        assertEquals(0, observed[i], "cell " + i + " has probability 0 but was observed");
      } else if (expected[i] * n < 5) {
        pooledE += expected[i] * n;
        pooledO += observed[i];
      } else {
        e.add(expected[i] * n);
        o.add(observed[i]);
      }
    }
    if (pooledE > 0) {
      e.add(pooledE);
      o.add(pooledO);
    }
    // Rescale so the expected counts sum to n exactly (commons-math rescales too, but say so).
    double total = e.stream().mapToDouble(Double::doubleValue).sum();
    double[] ee = e.stream().mapToDouble(x -> x * n / total).toArray();
    long[] oo = o.stream().mapToLong(Long::longValue).toArray();
    return new ChiSquareTest().chiSquareTest(ee, oo);
  }

  /** Plain decoding's tokens: the reference for greedy equivalence. */
  static DecodeResult plain(FakeLm target, int[] prompt, GenerationRequest request) {
    return SpeculativeDecoder.builder(target).build().generate(prompt, request, t -> {});
  }
}
