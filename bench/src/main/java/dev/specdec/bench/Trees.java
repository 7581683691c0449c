package dev.specdec.bench;

import dev.specdec.tree.TokenTree;
import java.util.SplittableRandom;

/** The token trees the benchmarks sweep over, named as in their {@code @Param}s. */
final class Trees {
  private Trees() {}

  /**
   * {@code chain-N}: a root and N drafts in a chain. {@code tree-N}: N nodes, each attached to a
   * random earlier node (a random recursive tree, seeded: the same tree every run; depth about ln N
   * on average, like the shallow, bushy trees tree drafters propose).
   */
  static TokenTree named(String shape) {
    String[] parts = shape.split("-", 2);
    int n = Integer.parseInt(parts[1]);
    SplittableRandom random = new SplittableRandom(20_261_122L + n);
    return switch (parts[0]) {
      case "chain" -> {
        int[] tokens = new int[n + 1];
        for (int i = 0; i < tokens.length; i++) {
          tokens[i] = 3 + random.nextInt(500);
        }
        yield TokenTree.chainOf(tokens);
      }
      case "tree" -> {
        int[] tokens = new int[n];
        int[] parents = new int[n];
        parents[0] = -1;
        for (int i = 0; i < n; i++) {
          tokens[i] = 3 + random.nextInt(500);
          if (i > 0) {
            parents[i] = random.nextInt(i);
          }
        }
        yield TokenTree.of(tokens, parents);
      }
      default ->
          throw new IllegalArgumentException(
              "unknown tree shape '" + shape + "': expected chain-N or tree-N");
    };
  }
}
