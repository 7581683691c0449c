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
  MTP("mtp"),
  /**
   * The bundle's Medusa heads on the target's hidden state fill a tree (a shipped or user shape, or
   * a dynamic tree) with their top-k candidates.
   */
  MEDUSA("medusa");

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

  /** True when this drafter runs the bundle's Medusa heads: {@link #MEDUSA}. */
  public boolean needsMedusa() {
    return this == MEDUSA;
  }

  /**
   * True when this drafter can draft a token tree given by a {@link dev.specdec.tree.TreeSpec}:
   * {@link #MEDUSA} always, {@link #DRAFT} when one is given (top-k per level instead of a chain).
   */
  public boolean takesTree() {
    return this == MEDUSA || this == DRAFT;
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
