package dev.specdec.verification;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.tree.TokenTree;

/**
 * Knows the target's greedy continuation and drafts, per step, the next {@code script[step]} tokens
 * of it correctly and then wrong ones up to {@code k}; after the script runs out it drafts every
 * token correctly. Greedy verification then accepts exactly the scripted counts.
 */
final class ScriptedDrafter implements Drafter {
  private final int[] reference; // prompt + greedy continuation
  private final int[] script;
  private final int k;
  private final int vocab;
  private int step;

  ScriptedDrafter(int[] reference, int[] script, int k, int vocab) {
    this.reference = reference;
    this.script = script;
    this.k = k;
    this.vocab = vocab;
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    int n = context.length();
    int count = Math.min(k, maxDrafts);
    int correct = step < script.length ? script[step] : count;
    step++;
    int[] drafts = new int[count];
    for (int i = 0; i < count; i++) {
      int truth = reference[n + i];
      drafts[i] = i < correct ? truth : (truth + 1) % vocab;
    }
    return Proposal.deterministic(TokenTree.chain(context.last(), drafts));
  }

  @Override
  public void accepted(int[] path) {}

  @Override
  public void reset() {
    step = 0;
  }

  @Override
  public String name() {
    return "scripted";
  }
}
