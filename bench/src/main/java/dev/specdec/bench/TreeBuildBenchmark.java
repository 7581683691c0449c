package dev.specdec.bench;

import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeShape;
import java.util.ArrayList;
import java.util.List;
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
 * How long does building one step's token tree take: filling a static shape (Medusa choice list)
 * with a drafter's top-k tokens per depth, and building a tree from parallel token/parent arrays as
 * the lookup drafters do?
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TreeBuildBenchmark {
  /**
   * The shape: {@code chain-8} (8 drafts, top-1 each) or {@code full-4321} (top-4 at depth 1, top-3
   * under each, then top-2, then top-1: 64 drafts, depth 4, Medusa-sized).
   */
  @Param({"chain-8", "full-4321"})
  public String shape;

  private TreeShape treeShape;
  private int[][] topK; // (depth, rank) the drafter's candidates per depth, as Medusa heads give
  private int[] tokens; // (nodes) for TokenTree.of
  private int[] parents; // (nodes)

  /** Builds the shape, seeded candidate tokens, and the arrays of the filled tree. */
  @Setup
  public void setUp() {
    treeShape =
        switch (shape) {
          case "chain-8" -> TreeShape.chain(8);
          case "full-4321" -> full(new int[] {4, 3, 2, 1});
          default -> throw new IllegalArgumentException("unknown shape " + shape);
        };
    SplittableRandom random = new SplittableRandom(42);
    topK = new int[treeShape.maxDepth() + 1][treeShape.maxTopK()];
    for (int[] row : topK) {
      for (int r = 0; r < row.length; r++) {
        row[r] = random.nextInt(32000);
      }
    }
    TokenTree filled = fill();
    tokens = filled.tokens();
    parents = filled.parents();
  }

  private static TreeShape full(int[] branching) {
    List<int[]> choices = new ArrayList<>();
    List<int[]> level = List.of(new int[0]);
    for (int width : branching) {
      List<int[]> next = new ArrayList<>();
      for (int[] parent : level) {
        for (int r = 0; r < width; r++) {
          int[] child = java.util.Arrays.copyOf(parent, parent.length + 1);
          child[parent.length] = r;
          next.add(child);
        }
      }
      choices.addAll(next);
      level = next;
    }
    return TreeShape.of(choices);
  }

  /** A static shape filled with each depth's top-k tokens (the Medusa step). */
  @Benchmark
  public TokenTree fill() {
    return treeShape.fill(1, node -> topK[treeShape.depth(node)][treeShape.rank(node)]);
  }

  /** A tree from token and parent arrays, validated (the lookup drafters' step). */
  @Benchmark
  public TokenTree fromArrays() {
    return TokenTree.of(tokens, parents);
  }
}
