package dev.specdec.verification;

import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one decoding step proposed, accepted and cost: the record an evaluation harness keeps per
 * step.
 *
 * <p>Positions are depths in the tree: the root (depth 0) is the pending token and a node at depth
 * d drafts the d-th token after it. For a Medusa drafter head h drafts depth h + 1, so per-depth
 * figures are per-head figures; any other drafter is described by the same fields.
 *
 * @param step the step's index within its generation, from 0
 * @param emittedBefore new tokens emitted before this step; the token at depth d of this step, if
 *     emitted, is new token {@code emittedBefore + d - 1}
 * @param tree the tree the target verified (root = the pending token): the proposal, or its first
 *     root-to-leaf path for a target without tree masks; trees are immutable
 * @param path the accepted nodes from the root (0) down; {@code path.length - 1} drafts were
 *     accepted. Copied in and out
 * @param nextToken the target's correction or bonus token after the path
 * @param draftNanos wall time of the drafter this step: proposing and taking in the verdict
 * @param verifyNanos wall time of the target pass, the acceptance rule and the cache commit
 * @param proposedDrafts drafts the drafter proposed; more than {@link #drafted()} when an adaptive
 *     budget pruned the tree, 0 on a plain step
 * @param expectedTokens what the adaptive budget expected the step to emit (accepted + 1) when it
 *     chose the tree; {@code NaN} with a fixed budget
 */
public record StepRecord(
    int step,
    int emittedBefore,
    TokenTree tree,
    int[] path,
    int nextToken,
    long draftNanos,
    long verifyNanos,
    int proposedDrafts,
    double expectedTokens) {

  /** Validates the path against the tree and copies it. */
  public StepRecord {
    Objects.requireNonNull(tree, "tree");
    if (step < 0 || emittedBefore < 0) {
      throw new IllegalArgumentException(
          "step and emittedBefore must be >= 0, were " + step + " and " + emittedBefore);
    }
    if (path.length == 0 || path[0] != 0) {
      throw new IllegalArgumentException(
          "path must start at the root (node 0), was " + Arrays.toString(path));
    }
    for (int i = 1; i < path.length; i++) {
      if (path[i] <= 0 || path[i] >= tree.size() || tree.parent(path[i]) != path[i - 1]) {
        throw new IllegalArgumentException(
            "path " + Arrays.toString(path) + " is not a root-down path of the tree " + tree);
      }
    }
    if (draftNanos < 0 || verifyNanos < 0) {
      throw new IllegalArgumentException(
          "times must be >= 0, were draftNanos=" + draftNanos + ", verifyNanos=" + verifyNanos);
    }
    if (proposedDrafts < tree.draftCount()) {
      throw new IllegalArgumentException(
          "proposedDrafts ("
              + proposedDrafts
              + ") must be >= the drafts verified ("
              + tree.draftCount()
              + ")");
    }
    path = path.clone();
  }

  /** A step of a fixed budget: every proposed draft was verified, nothing expected. */
  public StepRecord(
      int step,
      int emittedBefore,
      TokenTree tree,
      int[] path,
      int nextToken,
      long draftNanos,
      long verifyNanos) {
    this(
        step,
        emittedBefore,
        tree,
        path,
        nextToken,
        draftNanos,
        verifyNanos,
        tree.draftCount(),
        Double.NaN);
  }

  /** The step's budget: the drafts verified, 0 for a plain step. */
  public int budget() {
    return tree.draftCount();
  }

  /** The accepted path (a copy). */
  @Override
  public int[] path() {
    return path.clone();
  }

  /** Drafts proposed this step: the tree's nodes but the root. */
  public int drafted() {
    return tree.draftCount();
  }

  /**
   * Drafts accepted this step: {@code path.length - 1}, which is also the deepest accepted depth.
   */
  public int accepted() {
    return path.length - 1;
  }

  /** The node accepted at {@code depth} (1 .. {@link #accepted()}). */
  public int acceptedNode(int depth) {
    return path[depth];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StepRecord r
        && step == r.step
        && emittedBefore == r.emittedBefore
        && nextToken == r.nextToken
        && draftNanos == r.draftNanos
        && verifyNanos == r.verifyNanos
        && proposedDrafts == r.proposedDrafts
        && Double.compare(expectedTokens, r.expectedTokens) == 0
        && tree.equals(r.tree)
        && Arrays.equals(path, r.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, emittedBefore, tree, Arrays.hashCode(path), nextToken);
  }

  @Override
  public String toString() {
    return "StepRecord[step="
        + step
        + ", emittedBefore="
        + emittedBefore
        + ", tree="
        + tree
        + ", path="
        + Arrays.toString(path)
        + ", nextToken="
        + nextToken
        + ", draftNanos="
        + draftNanos
        + ", verifyNanos="
        + verifyNanos
        + ", proposedDrafts="
        + proposedDrafts
        + ", expectedTokens="
        + expectedTokens
        + "]";
  }
}
