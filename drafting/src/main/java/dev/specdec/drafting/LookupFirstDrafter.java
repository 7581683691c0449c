package dev.specdec.drafting;

import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import java.util.Optional;

/**
 * Prompt lookup when the context offers a long enough match, another drafter otherwise.
 *
 * <p>Lookup drafts cost almost nothing but exist only where the text repeats itself; a model
 * drafter covers the rest. The fallback keeps its own state in line by catching up on the context
 * the next time it proposes, so steps it sits out cost it nothing. {@link #accepted} goes to
 * whichever drafter made the last proposal.
 */
public final class LookupFirstDrafter implements Drafter {
  private final PromptLookupDrafter lookup;
  private final Drafter fallback;
  private final int minMatch;
  private Drafter active;

  private LookupFirstDrafter(PromptLookupDrafter lookup, Drafter fallback, int minMatch) {
    this.lookup = lookup;
    this.fallback = fallback;
    this.minMatch = minMatch;
    this.active = fallback;
  }

  /**
   * Lookup with {@code config} first, {@code fallback} when the longest match is shorter than
   * {@code minMatch} tokens. Closing this drafter closes the fallback.
   *
   * @throws IllegalArgumentException when {@code minMatch} is outside {@code [ngramMin, ngramMax]}
   */
  public static LookupFirstDrafter of(LookupConfig config, Drafter fallback, int minMatch) {
    if (minMatch < config.ngramMin() || minMatch > config.ngramMax()) {
      throw new IllegalArgumentException(
          "minimum match length must be in [ngram-min, ngram-max] = ["
              + config.ngramMin()
              + ", "
              + config.ngramMax()
              + "], was "
              + minMatch);
    }
    return new LookupFirstDrafter(PromptLookupDrafter.create(config), fallback, minMatch);
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    Proposal fromLookup = lookup.propose(context, maxDrafts);
    if (lookup.lastMatchLength() >= minMatch && fromLookup.tree().draftCount() > 0) {
      active = lookup;
      return fromLookup;
    }
    active = fallback;
    return fallback.propose(context, maxDrafts);
  }

  /** As {@link #propose(TokenContext, int)}; a fallback step asks {@code stop} as it drafts. */
  @Override
  public Proposal propose(TokenContext context, int maxDrafts, DraftStop stop) {
    Proposal fromLookup = lookup.propose(context, maxDrafts);
    if (lookup.lastMatchLength() >= minMatch && fromLookup.tree().draftCount() > 0) {
      active = lookup;
      return fromLookup;
    }
    active = fallback;
    return fallback.propose(context, maxDrafts, stop);
  }

  /** True when the last proposal came from the lookup. */
  public boolean lastProposalFromLookup() {
    return active == lookup;
  }

  @Override
  public void accepted(int[] path) {
    active.accepted(path);
  }

  /** Both drafters see every target commit: the fallback may need positions lookup drafted. */
  @Override
  public void targetCommitting(int firstPosition, int[] nodes, ForwardOutput pass) {
    lookup.targetCommitting(firstPosition, nodes, pass);
    fallback.targetCommitting(firstPosition, nodes, pass);
  }

  @Override
  public void reset() {
    lookup.reset();
    fallback.reset();
    active = fallback;
  }

  @Override
  public String name() {
    return "lookup+" + fallback.name();
  }

  /** The fallback's model, so the decoder checks it against the target's vocabulary. */
  @Override
  public Optional<ModelInfo> modelInfo() {
    return fallback.modelInfo();
  }

  @Override
  public void close() {
    fallback.close();
  }
}
