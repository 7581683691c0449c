package dev.specdec.drafting;

/**
 * Asked by a drafter that drafts one level at a time (a draft model's chain) whether one more level
 * pays: how an adaptive budget stops a chain early instead of drafting tokens it would not verify.
 *
 * <p>Called with depths 1, 2, ... in order within one proposal, each time after the node at that
 * depth was drafted and before the next one is. The answer may depend only on the confidences seen
 * so far, which is what keeps a budget exact under rejection sampling (see {@link
 * DraftConfidence}).
 */
@FunctionalInterface
public interface DraftStop {

  /** Never stops: the drafter drafts as many levels as {@code maxDrafts} and its own k allow. */
  DraftStop NEVER = (depth, confidence) -> true;

  /**
   * Whether to draft the level below the node just drafted.
   *
   * @param depth the depth of the node just drafted, from 1
   * @param confidence its {@link DraftConfidence} value
   */
  boolean deeper(int depth, float confidence);
}
