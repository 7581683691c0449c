package dev.specdec.bench;

import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeAttention;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
 * How long does writing the additive ancestor mask of one verification pass take, for chains and
 * trees over a realistic cache length? The mask is {@code T * (past + T)} floats written into a
 * preallocated direct buffer, as the runtime does every step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TreeMaskBenchmark {
  /** The tree of the pass: a chain of k drafts or a tree of N nodes (see {@link Trees}). */
  @Param({"chain-4", "chain-8", "tree-16", "tree-64"})
  public String shape;

  /** Committed positions every node attends to. */
  @Param({"128", "512"})
  public int past;

  private TokenTree tree;
  private FloatBuffer mask; // (T, past + T), native order, direct

  /** Builds the tree and a buffer of exactly the mask's size. */
  @Setup
  public void setUp() {
    tree = Trees.named(shape);
    int floats = TreeAttention.maskSize(tree.size(), past);
    mask =
        ByteBuffer.allocateDirect(Float.BYTES * floats)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
  }

  /** One mask. */
  @Benchmark
  public FloatBuffer writeMask() {
    TreeAttention.writeMask(tree, past, mask);
    return mask;
  }
}
