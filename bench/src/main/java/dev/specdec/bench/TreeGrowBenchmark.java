package dev.specdec.bench;

import dev.specdec.tree.ChildSource;
import dev.specdec.tree.GrownTree;
import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeGrower;
import dev.specdec.tree.TreeSpec;
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
 * What does growing one proposal tree cost on the Java side, static shape against dynamic tree,
 * once the drafter's candidates are known? The child source hands out precomputed top-k candidates
 * (no model, no softmax), so the score is the grower's own bookkeeping: the overhead a tree drafter
 * adds to every step on top of its model passes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TreeGrowBenchmark {
  /** A shipped shape or a dynamic tree spec ({@code ;} for {@code ,}: JMH splits on commas). */
  @Param({
    "medusa-16",
    "medusa-63",
    "dynamic:budget=16;depth=4;topk=4",
    "dynamic:budget=63;depth=5;topk=8"
  })
  public String tree;

  private TreeSpec spec;
  private ChildSource source;

  /** Parses the spec and fills a table of candidate tokens and probabilities (seeded). */
  @Setup
  public void setUp() {
    spec = TreeSpec.parse(tree.replace(';', ','));
    SplittableRandom random = new SplittableRandom(7);
    int k = 16;
    int[][] tokens = new int[64][k];
    float[][] probs = new float[64][k];
    for (int row = 0; row < 64; row++) {
      float left = 1f;
      for (int r = 0; r < k; r++) {
        tokens[row][r] = 1000 * r + row; // distinct per row
        probs[row][r] = left * (0.3f + 0.5f * random.nextFloat());
        left -= probs[row][r];
      }
    }
    source =
        (TokenTree t, int[] nodes, int kk, int[] outTokens, float[] outProbs) -> {
          for (int j = 0; j < nodes.length; j++) {
            int row = (t.token(nodes[j]) * 31 + nodes[j]) & 63;
            System.arraycopy(tokens[row], 0, outTokens, j * kk, kk);
            System.arraycopy(probs[row], 0, outProbs, j * kk, kk);
          }
        };
  }

  /** One tree. */
  @Benchmark
  public GrownTree grow() {
    return TreeGrower.grow(5, spec, 64, source);
  }
}
