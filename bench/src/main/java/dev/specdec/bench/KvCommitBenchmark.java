package dev.specdec.bench;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.tree.TokenTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does keeping the accepted path cost when it is a non-contiguous tree path rather than a
 * chain prefix? Runs the test-tiny target ({@code models/test-tiny/target.onnx}) through ONNX
 * Runtime over {@code past} committed positions.
 *
 * <p>{@code commit} needs a fresh forward pass, so each benchmark measures a whole cycle: a forward
 * pass over 8 nodes, the commit of a 4-node path, and a truncate back to {@code past}. {@code
 * forwardOnly} is the same cycle without the commit; the differences to it are the commit costs. A
 * chain prefix commits in place; the tree path (nodes 0, 2, 5, 7) moves three rows of K/V in every
 * layer. Both passes have T = 8, so their forward costs match.
 *
 * <p>Run from the repository root, or pass {@code -Dspecdec.root=DIR} (JMH forks inherit it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KvCommitBenchmark {
  private static final int[] CHAIN_PREFIX = {0, 1, 2, 3};
  private static final int[] TREE_PATH = {0, 2, 5, 7};
  // Node 7's ancestors are 5, 2 and 0: a path that skips nodes 1, 3, 4 and 6.
  private static final int[] TREE_PARENTS = {-1, 0, 0, 1, 2, 2, 3, 5};

  /** Committed positions under the pass. */
  @Param({"16", "128"})
  public int past;

  private Engine engine;
  private CausalLm target;
  private TokenTree chain;
  private TokenTree tree;

  /** Loads the target, commits {@code past} random tokens, checks what each cycle copies. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path model =
        Path.of(System.getProperty("specdec.root", "."))
            .resolve("models/test-tiny/target.onnx")
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(model)) {
      throw new NoSuchFileException(
          model.toString(), null, "run from the repository root or pass -Dspecdec.root=DIR");
    }
    engine = Engine.create();
    target = engine.loadCausalLm(model, Device.cpu());
    SplittableRandom random = new SplittableRandom(7);
    int[] prefix = new int[past];
    int[] nodes = new int[TREE_PARENTS.length];
    for (int i = 0; i < past; i++) {
      prefix[i] = 3 + random.nextInt(500);
    }
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = 3 + random.nextInt(500);
    }
    target.forward(TokenTree.chainOf(prefix));
    target.commitPrefix(past);
    chain = TokenTree.chainOf(nodes);
    tree = TokenTree.of(nodes, TREE_PARENTS);
    requireRowsCopied(chain, CHAIN_PREFIX, false);
    requireRowsCopied(tree, TREE_PATH, true);
  }

  /** Fails the run when a cycle does not copy (or does copy) rows as this benchmark claims. */
  private void requireRowsCopied(TokenTree pass, int[] path, boolean copies) throws IOException {
    long before = target.stats().rowsCopied();
    forwardCommitTruncate(pass, path);
    boolean copied = target.stats().rowsCopied() > before;
    if (copied != copies) {
      throw new IllegalStateException(
          "committing "
              + java.util.Arrays.toString(path)
              + (copies ? " copied no rows" : " copied rows")
              + ": the benchmark no longer measures what it says");
    }
  }

  /** Closes the model and the engine. */
  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  private ForwardOutput forwardCommitTruncate(TokenTree pass, int[] path) {
    ForwardOutput out = target.forward(pass);
    target.commit(path);
    target.truncate(past);
    return out;
  }

  /** Forward over the 8-node chain, then truncate: the cycle without a commit. */
  @Benchmark
  public ForwardOutput forwardOnly() {
    ForwardOutput out = target.forward(chain);
    target.truncate(past);
    return out;
  }

  /** Forward over the 8-node chain, commit nodes 0..3 (in place), truncate. */
  @Benchmark
  public ForwardOutput chainPrefixCommit() {
    return forwardCommitTruncate(chain, CHAIN_PREFIX);
  }

  /** Forward over the 8-node tree, commit nodes 0, 2, 5, 7 (rows moved), truncate. */
  @Benchmark
  public ForwardOutput treePathCommit() {
    return forwardCommitTruncate(tree, TREE_PATH);
  }
}
