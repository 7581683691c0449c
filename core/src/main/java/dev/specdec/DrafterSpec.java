package dev.specdec;

import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.SpeculativeDecoder;
import java.util.Objects;

/**
 * Which drafter a generation runs, with its settings: a closed set, so callers {@code switch} over
 * it exhaustively. Each record validates its own fields once, in its compact constructor, with
 * messages naming the setting and its value; a spec that exists is valid. Whether the bundle has
 * the model a spec needs is checked when a {@link SpecDecoder} generates with it.
 *
 * <p>Every spec names {@link #draftTokens()}, k: the most drafts one verification pass takes.
 */
public sealed interface DrafterSpec
    permits DrafterSpec.None,
        DrafterSpec.DraftModel,
        DrafterSpec.DraftTree,
        DrafterSpec.Medusa,
        DrafterSpec.Mtp,
        DrafterSpec.Lookup,
        DrafterSpec.LookupThenDraft {

  /** The most drafts per pass any spec may ask for: the decoder's limit. */
  int MAX_DRAFT_TOKENS = SpeculativeDecoder.MAX_DRAFT_TOKENS;

  /** The tree of {@link #medusa()}: small, as verification on a CPU wants. */
  String DEFAULT_MEDUSA_TREE = "medusa-8";

  /** The most drafts per verification pass, k, in {@code [0, 64]}; 0 only for {@link None}. */
  int draftTokens();

  /**
   * The drafter's name as the command line and reports spell it: {@code none}, {@code draft},
   * {@code medusa}, {@code mtp}, {@code lookup}, {@code lookup+draft}.
   */
  String name();

  /** Plain decoding: one target pass per token. */
  static None none() {
    return new None();
  }

  /** The bundle's draft model drafts a chain of up to {@code k} tokens, k in {@code [1, 64]}. */
  static DraftModel draftModel(int k) {
    return new DraftModel(k);
  }

  /**
   * The bundle's draft model fills {@code tree} (top-k per level) instead of drafting a chain; k is
   * the tree's size, at most 64.
   */
  static DraftTree draftTree(TreeSpec tree) {
    return new DraftTree(tree, cappedSize(tree));
  }

  /** The bundle's Medusa heads fill {@code tree} with their top-k; k is the tree's size (<= 64). */
  static Medusa medusa(TreeSpec tree) {
    return new Medusa(tree, cappedSize(tree));
  }

  /** The bundle's Medusa heads fill {@link #DEFAULT_MEDUSA_TREE}. */
  static Medusa medusa() {
    return medusa(TreeSpec.parse(DEFAULT_MEDUSA_TREE));
  }

  /**
   * The bundle's MTP module drafts up to {@code depth} chained steps with {@code branches} children
   * per expanded node (1: a chain); k is the full tree's size, {@code branches + branches^2 + ... +
   * branches^depth}, at most 64.
   */
  static Mtp mtp(int depth, int branches) {
    long size = 0;
    long level = 1;
    for (int d = 0; d < depth && size < MAX_DRAFT_TOKENS; d++) {
      level *= Math.max(1, branches);
      size += level;
    }
    return new Mtp(depth, branches, (int) Math.max(1, Math.min(size, MAX_DRAFT_TOKENS)));
  }

  /**
   * Prompt lookup with up to {@code maxDrafts} drafts per pass: suffixes of 3 down to 1 tokens, one
   * chain. Needs no draft model.
   */
  static Lookup lookup(int maxDrafts) {
    return new Lookup(Lookup.DEFAULT_NGRAM_MAX, 1, maxDrafts, 1);
  }

  /** Prompt lookup with every setting given; see {@link Lookup}. */
  static Lookup lookup(int ngramMax, int ngramMin, int maxDrafts, int branches) {
    return new Lookup(ngramMax, ngramMin, maxDrafts, branches);
  }

  /**
   * Prompt lookup when the longest match has at least 2 tokens, the bundle's draft model (a chain
   * of up to {@code k}) otherwise; suffixes of 3 down to 2 tokens, one chain.
   */
  static LookupThenDraft lookupThenDraft(int k) {
    return new LookupThenDraft(Lookup.DEFAULT_NGRAM_MAX, 2, k, 1);
  }

  /** Lookup, then the draft model, with every setting given; see {@link LookupThenDraft}. */
  static LookupThenDraft lookupThenDraft(int ngramMax, int ngramMin, int k, int branches) {
    return new LookupThenDraft(ngramMax, ngramMin, k, branches);
  }

  /** Plain decoding. */
  record None() implements DrafterSpec {
    @Override
    public int draftTokens() {
      return 0;
    }

    @Override
    public String name() {
      return "none";
    }
  }

  /**
   * The draft model drafting a chain.
   *
   * @param k the most drafts per pass, in {@code [1, 64]}
   */
  record DraftModel(int k) implements DrafterSpec {
    /** Validates k. */
    public DraftModel {
      requireK("k", k);
    }

    @Override
    public int draftTokens() {
      return k;
    }

    @Override
    public String name() {
      return "draft";
    }
  }

  /**
   * The draft model filling a tree.
   *
   * @param tree the shape (static) or growth rule (dynamic) of the tree
   * @param k the most drafts per pass, in {@code [1, 64]}; caps the tree
   */
  record DraftTree(TreeSpec tree, int k) implements DrafterSpec {
    /** Validates both. */
    public DraftTree {
      Objects.requireNonNull(tree, "tree");
      requireK("k", k);
    }

    @Override
    public int draftTokens() {
      return k;
    }

    @Override
    public String name() {
      return "draft";
    }
  }

  /**
   * Medusa heads filling a tree.
   *
   * @param tree the shape (static) or growth rule (dynamic) of the tree
   * @param k the most drafts per pass, in {@code [1, 64]}; caps the tree
   */
  record Medusa(TreeSpec tree, int k) implements DrafterSpec {
    /** Validates both. */
    public Medusa {
      Objects.requireNonNull(tree, "tree");
      requireK("k", k);
    }

    @Override
    public int draftTokens() {
      return k;
    }

    @Override
    public String name() {
      return "medusa";
    }
  }

  /**
   * The MTP module drafting from the target's hidden states.
   *
   * @param depth the most chained MTP steps, in {@code [1, 64]}
   * @param branches children per expanded node, in {@code [1, 64]}; 1 drafts a chain
   * @param k the most drafts per pass (all branches together), in {@code [1, 64]}
   */
  record Mtp(int depth, int branches, int k) implements DrafterSpec {
    /** Validates the fields by the rules of the drafter's own {@link MtpConfig}. */
    public Mtp {
      new MtpConfig(depth, branches, k); // throws naming the setting
    }

    /** The drafter's configuration. */
    public MtpConfig config() {
      return new MtpConfig(depth, branches, k);
    }

    @Override
    public int draftTokens() {
      return k;
    }

    @Override
    public String name() {
      return "mtp";
    }
  }

  /**
   * Prompt lookup: drafts the tokens that followed earlier occurrences of the context's last
   * n-gram, as a chain or (with several branches) a trie.
   *
   * @param ngramMax the longest suffix looked up, in {@code [ngramMin, 16]}
   * @param ngramMin the shortest suffix that counts as a match, {@code >= 1}
   * @param maxDrafts the most drafts per pass (all branches together), in {@code [1, 64]}
   * @param branches the most distinct continuations, as sibling branches, in {@code [1, maxDrafts]}
   */
  record Lookup(int ngramMax, int ngramMin, int maxDrafts, int branches) implements DrafterSpec {
    /** The longest suffix looked up unless given. */
    public static final int DEFAULT_NGRAM_MAX = 3;

    /** Validates the fields by the rules of the drafter's own {@link LookupConfig}, and k. */
    public Lookup {
      requireLookup(ngramMax, ngramMin, maxDrafts, branches);
    }

    /** The drafter's configuration. */
    public LookupConfig config() {
      return lookupConfig(ngramMax, ngramMin, maxDrafts, branches);
    }

    @Override
    public int draftTokens() {
      return maxDrafts;
    }

    @Override
    public String name() {
      return "lookup";
    }
  }

  /**
   * Prompt lookup when the longest match has at least {@code ngramMin} tokens, the draft model (a
   * chain of up to {@code k}) otherwise.
   *
   * @param ngramMax the longest suffix looked up, in {@code [ngramMin, 16]}
   * @param ngramMin the shortest match that the lookup drafts from, {@code >= 1}
   * @param k the most drafts per pass, of either drafter, in {@code [1, 64]}
   * @param branches the lookup's most sibling branches, in {@code [1, k]}
   */
  record LookupThenDraft(int ngramMax, int ngramMin, int k, int branches) implements DrafterSpec {
    /** Validates the fields as {@link Lookup} does. */
    public LookupThenDraft {
      requireLookup(ngramMax, ngramMin, k, branches);
    }

    /** The lookup part's configuration. */
    public LookupConfig config() {
      return lookupConfig(ngramMax, ngramMin, k, branches);
    }

    @Override
    public int draftTokens() {
      return k;
    }

    @Override
    public String name() {
      return "lookup+draft";
    }
  }

  private static int cappedSize(TreeSpec tree) {
    Objects.requireNonNull(tree, "tree");
    return Math.max(1, Math.min(tree.maxDrafts(), MAX_DRAFT_TOKENS));
  }

  private static void requireK(String name, int k) {
    if (k < 1 || k > MAX_DRAFT_TOKENS) {
      throw new IllegalArgumentException(
          name + " (drafts per pass) must be in [1, " + MAX_DRAFT_TOKENS + "], was " + k);
    }
  }

  private static void requireLookup(int ngramMax, int ngramMin, int maxDrafts, int branches) {
    lookupConfig(ngramMax, ngramMin, maxDrafts, branches); // throws naming the setting
    requireK("maxDrafts", maxDrafts);
    if (branches > maxDrafts) {
      throw new IllegalArgumentException(
          "branches ("
              + branches
              + ") must be <= the most drafts per pass ("
              + maxDrafts
              + "): each branch takes at least one draft");
    }
  }

  /** Inspects up to {@link LookupConfig#defaults()}'s occurrences per length (>= branches). */
  private static LookupConfig lookupConfig(
      int ngramMax, int ngramMin, int maxDrafts, int branches) {
    int candidates = Math.max(LookupConfig.defaults().maxCandidates(), branches);
    return new LookupConfig(ngramMax, ngramMin, maxDrafts, branches, candidates);
  }
}
