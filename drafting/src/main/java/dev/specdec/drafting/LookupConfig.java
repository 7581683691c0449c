package dev.specdec.drafting;

/**
 * Settings of the prompt-lookup drafter.
 *
 * @param ngramMax longest suffix of the context that is looked up, {@code >= ngramMin}
 * @param ngramMin shortest suffix that counts as a match, {@code >= 1}
 * @param maxDrafts most draft tokens per proposal (all branches together), {@code >= 1}
 * @param branches most distinct continuations proposed as sibling branches, {@code >= 1}; 1
 *     proposes a chain
 * @param maxCandidates most earlier occurrences inspected per n-gram length: bounds the work of one
 *     lookup whatever the context length
 */
public record LookupConfig(
    int ngramMax, int ngramMin, int maxDrafts, int branches, int maxCandidates) {

  /** Validates ranges with messages that name the option. */
  public LookupConfig {
    if (ngramMin < 1) {
      throw new IllegalArgumentException("ngram-min must be >= 1, was " + ngramMin);
    }
    if (ngramMax < ngramMin || ngramMax > 16) {
      throw new IllegalArgumentException(
          "ngram-max must be in [ngram-min, 16] = [" + ngramMin + ", 16], was " + ngramMax);
    }
    if (maxDrafts < 1) {
      throw new IllegalArgumentException("draft tokens must be >= 1, was " + maxDrafts);
    }
    if (branches < 1) {
      throw new IllegalArgumentException("branches must be >= 1, was " + branches);
    }
    if (maxCandidates < branches) {
      throw new IllegalArgumentException(
          "maxCandidates must be >= branches (" + branches + "), was " + maxCandidates);
    }
  }

  /** Suffixes of 3 down to 1 tokens, 8 drafts, one chain, up to 64 occurrences inspected. */
  public static LookupConfig defaults() {
    return new LookupConfig(3, 1, 8, 1, 64);
  }
}
