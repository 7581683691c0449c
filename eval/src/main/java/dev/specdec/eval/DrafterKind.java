package dev.specdec.eval;

/** Which drafter a {@link BundleDecoder} runs. */
public enum DrafterKind {
  /** No drafter: plain decoding, one target pass per token. */
  NONE("none"),
  /** The bundle's draft model drafts a chain of up to k tokens per step. */
  DRAFT("draft"),
  /**
   * Prompt lookup: the tokens that followed the most recent earlier occurrences of the context's
   * last n-gram, as a chain or (with several branches) a trie; needs no draft model.
   */
  LOOKUP("lookup"),
  /**
   * Prompt lookup when the longest match has at least ngram-min tokens, the bundle's draft model
   * otherwise.
   */
  LOOKUP_DRAFT("lookup+draft"),
  /**
   * The bundle's MTP module on the target's hidden states: chains of up to depth drafts, or trees
   * with several branches per node (see {@link dev.specdec.drafting.MtpDrafter}).
   */
  MTP("mtp");

  private final String label;

  DrafterKind(String label) {
    this.label = label;
  }

  /**
   * True when this drafter runs the bundle's draft model: {@link #DRAFT}, {@link #LOOKUP_DRAFT}.
   */
  public boolean needsDraftModel() {
    return this == DRAFT || this == LOOKUP_DRAFT;
  }

  /** True when this drafter runs the bundle's MTP module: {@link #MTP}. */
  public boolean needsMtpModule() {
    return this == MTP;
  }

  /** True when this drafter looks up the context: {@link #LOOKUP}, {@link #LOOKUP_DRAFT}. */
  public boolean usesLookup() {
    return this == LOOKUP || this == LOOKUP_DRAFT;
  }

  /**
   * The name used on the command line and in reports, equal to the built drafter's {@link
   * dev.specdec.drafting.Drafter#name()}: {@code none}, {@code draft}, {@code lookup}, {@code
   * lookup+draft}.
   */
  @Override
  public String toString() {
    return label;
  }
}
