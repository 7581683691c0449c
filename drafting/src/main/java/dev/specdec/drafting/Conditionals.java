package dev.specdec.drafting;

import dev.specdec.tree.GrownTree;
import dev.specdec.tree.TokenTree;

/** Per-node conditional probabilities of a grown tree, recovered from its path values. */
final class Conditionals {
  private Conditionals() {}

  /**
   * The confidence of each node of {@code grown}: its path value over its parent's, i.e. the head's
   * or draft model's softmax probability of the node's token (0 where the parent's value is 0).
   */
  static DraftConfidence of(GrownTree grown) {
    TokenTree tree = grown.tree();
    float[] values = grown.values();
    float[] conditionals = new float[tree.size()];
    conditionals[0] = 1f;
    for (int i = 1; i < conditionals.length; i++) {
      float parent = values[tree.parent(i)];
      conditionals[i] = parent > 0f ? Math.min(1f, values[i] / parent) : 0f;
    }
    return DraftConfidence.of(conditionals);
  }
}
