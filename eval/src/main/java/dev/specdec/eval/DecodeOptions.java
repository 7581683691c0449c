package dev.specdec.eval;

import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.AcceptanceRule;
import dev.specdec.verification.SpeculativeDecoder;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link BundleDecoder} decodes.
 *
 * @param drafter the drafter; {@link DrafterKind#NONE} for plain decoding
 * @param draftTokens the most drafts per step, k, in {@code [0, 64]}; at least 1 with any drafter
 *     but {@link DrafterKind#NONE}; for the lookup drafters also the lookup's most drafts per
 *     proposal
 * @param sampling the target's (and the draft's) warping; temperature 0 selects the greedy rule,
 *     anything else exact rejection sampling
 * @param seed seeds the decoder's generator; the draft model's generator is derived from it
 * @param maxNewTokens the most new tokens, {@code >= 1}
 * @param lookup the prompt-lookup settings: present exactly when {@code drafter} {@linkplain
 *     DrafterKind#usesLookup() uses lookup}
 * @param acceptance an explicit acceptance rule; empty for the one the sampling calls for (greedy
 *     at temperature 0, rejection sampling otherwise)
 * @param mtp the MTP drafter's settings: present exactly when {@code drafter} is {@link
 *     DrafterKind#MTP}
 * @param tree the token tree the drafter fills: present for {@link DrafterKind#MEDUSA} (always) and
 *     optionally {@link DrafterKind#DRAFT} (a tree instead of a chain); k still caps its drafts
 * @param budget fixed (k or the tree every step) or auto (each step drafts what pays, at most k);
 *     plain decoding is always fixed
 */
public record DecodeOptions(
    DrafterKind drafter,
    int draftTokens,
    SamplingConfig sampling,
    long seed,
    int maxNewTokens,
    Optional<Lookup> lookup,
    Optional<AcceptanceRule> acceptance,
    Optional<Mtp> mtp,
    Optional<TreeSpec> tree,
    BudgetMode budget) {

  /** The tree of the medusa drafter when none is given: small, as verification on a CPU wants. */
  public static final String DEFAULT_MEDUSA_TREE = "medusa-8";

  /** Validates every field with a message naming it and its value. */
  public DecodeOptions {
    Objects.requireNonNull(drafter, "drafter");
    Objects.requireNonNull(budget, "budget");
    if (drafter == DrafterKind.NONE && budget == BudgetMode.AUTO) {
      throw new IllegalArgumentException(
          "budget auto sizes the drafts of a drafter; drafter none drafts nothing (use fixed)");
    }
    Objects.requireNonNull(mtp, "mtp");
    if (drafter.needsMtpModule() != mtp.isPresent()) {
      throw new IllegalArgumentException(
          "MTP settings go with the mtp drafter only; drafter "
              + drafter
              + (mtp.isPresent() ? " was given " + mtp.get() : " was given none"));
    }
    Objects.requireNonNull(tree, "tree");
    if (tree.isPresent() && !drafter.takesTree()) {
      throw new IllegalArgumentException(
          "a tree ("
              + tree.get().describe()
              + ") goes with the medusa and draft drafters only, not "
              + drafter);
    }
    if (drafter == DrafterKind.MEDUSA && tree.isEmpty()) {
      throw new IllegalArgumentException("the medusa drafter needs a tree");
    }
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(acceptance, "acceptance");
    if (acceptance.orElse(null) instanceof AcceptanceRule.Greedy && !sampling.isGreedy()) {
      throw new IllegalArgumentException(
          "greedy acceptance needs temperature 0, was temperature "
              + sampling.temperature()
              + ": use rejection (exact) or typical");
    }
    if (draftTokens < 0 || draftTokens > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
      throw new IllegalArgumentException(
          "draft tokens per step (k) must be in [0, "
              + SpeculativeDecoder.MAX_DRAFT_TOKENS
              + "], was "
              + draftTokens);
    }
    if (drafter != DrafterKind.NONE && draftTokens == 0) {
      throw new IllegalArgumentException(
          "the "
              + drafter
              + " drafter needs k >= 1 draft tokens per step (k = 0 is plain decoding: use"
              + " drafter none)");
    }
    if (drafter.usesLookup() != lookup.isPresent()) {
      throw new IllegalArgumentException(
          "lookup settings go with the lookup drafters (lookup, lookup+draft) only; drafter "
              + drafter
              + (lookup.isPresent() ? " was given " + lookup.get() : " was given none"));
    }
    if (lookup.isPresent() && lookup.get().branches() > draftTokens) {
      throw new IllegalArgumentException(
          "branches ("
              + lookup.get().branches()
              + ") must be <= draft tokens per step k ("
              + draftTokens
              + "): each branch takes at least one draft token");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max new tokens must be >= 1, was " + maxNewTokens);
    }
  }

  /** Options with a fixed budget: the drafter's k or tree every step. */
  public DecodeOptions(
      DrafterKind drafter,
      int draftTokens,
      SamplingConfig sampling,
      long seed,
      int maxNewTokens,
      Optional<Lookup> lookup,
      Optional<AcceptanceRule> acceptance,
      Optional<Mtp> mtp,
      Optional<TreeSpec> tree) {
    this(
        drafter,
        draftTokens,
        sampling,
        seed,
        maxNewTokens,
        lookup,
        acceptance,
        mtp,
        tree,
        BudgetMode.FIXED);
  }

  /**
   * Options without a tree (chains, lookup tries), with the default MTP settings ({@link
   * Mtp#defaultsFor}) when {@code drafter} is {@link DrafterKind#MTP}, none otherwise.
   */
  public DecodeOptions(
      DrafterKind drafter,
      int draftTokens,
      SamplingConfig sampling,
      long seed,
      int maxNewTokens,
      Optional<Lookup> lookup,
      Optional<AcceptanceRule> acceptance) {
    this(
        drafter,
        draftTokens,
        sampling,
        seed,
        maxNewTokens,
        lookup,
        acceptance,
        drafter != null && drafter.needsMtpModule()
            ? Optional.of(Mtp.defaultsFor(draftTokens))
            : Optional.empty(),
        Optional.empty());
  }

  /** Options with the acceptance rule that {@code sampling} calls for (see {@link #rule()}). */
  public DecodeOptions(
      DrafterKind drafter,
      int draftTokens,
      SamplingConfig sampling,
      long seed,
      int maxNewTokens,
      Optional<Lookup> lookup) {
    this(drafter, draftTokens, sampling, seed, maxNewTokens, lookup, Optional.empty());
  }

  /**
   * Options with the default lookup settings for {@code drafter} ({@link Lookup#defaultsFor}) when
   * it uses lookup, none otherwise.
   */
  public DecodeOptions(
      DrafterKind drafter, int draftTokens, SamplingConfig sampling, long seed, int maxNewTokens) {
    this(
        drafter,
        draftTokens,
        sampling,
        seed,
        maxNewTokens,
        drafter != null && drafter.usesLookup()
            ? Optional.of(Lookup.defaultsFor(drafter))
            : Optional.empty());
  }

  /**
   * A builder that starts from {@code bundle}'s recommended generation settings, with the draft
   * drafter when the bundle has a draft model and seed 0.
   */
  public static Builder defaultsFor(ModelBundle bundle) {
    return new Builder(bundle.generation(), bundle.draft().isPresent());
  }

  /**
   * The acceptance rule these options call for: greedy at temperature 0, rejection sampling
   * otherwise.
   */
  public AcceptanceRule rule() {
    return acceptance.orElseGet(
        () -> sampling.isGreedy() ? AcceptanceRule.greedy() : AcceptanceRule.rejectionSampling());
  }

  /**
   * Parses an acceptance rule: {@code greedy}, {@code rejection}, {@code typical} (epsilon 0.09,
   * delta 0.3) or {@code typical:EPS,DELTA}.
   *
   * @throws IllegalArgumentException naming the valid forms
   */
  public static AcceptanceRule parseAcceptance(String text) {
    String s = text.strip();
    if (s.equals("greedy")) {
      return AcceptanceRule.greedy();
    }
    if (s.equals("rejection")) {
      return AcceptanceRule.rejectionSampling();
    }
    if (s.equals("typical")) {
      return AcceptanceRule.typical();
    }
    if (s.startsWith("typical:")) {
      String[] parts = s.substring("typical:".length()).split(",", -1);
      if (parts.length == 2) {
        try {
          return AcceptanceRule.typical(
              Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
        } catch (NumberFormatException e) {
          // falls through to the message below
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown acceptance rule '"
            + text
            + "': expected greedy, rejection, typical or typical:EPS,DELTA (e.g. typical:0.09,0.3)");
  }

  /**
   * Prompt-lookup settings of the {@link DrafterKind#LOOKUP} and {@link DrafterKind#LOOKUP_DRAFT}
   * drafters. The most drafts per proposal is the options' k.
   *
   * @param ngramMax the longest suffix of the context looked up, in {@code [ngramMin, 16]}
   * @param ngramMin the shortest suffix that counts as a match, {@code >= 1}; with {@link
   *     DrafterKind#LOOKUP_DRAFT}, shorter matches (or none) leave the step to the draft model
   * @param branches the most distinct continuations proposed as sibling branches, in {@code [1,
   *     64]}; 1 proposes a chain
   */
  public record Lookup(int ngramMax, int ngramMin, int branches) {
    /** The longest n-gram the lookup index supports (as {@link LookupConfig} checks). */
    public static final int MAX_NGRAM = 16;

    /** Default longest suffix looked up. */
    public static final int DEFAULT_NGRAM_MAX = 3;

    /** Validates ranges with messages naming the setting and its value. */
    public Lookup {
      if (ngramMin < 1) {
        throw new IllegalArgumentException("ngram-min must be >= 1, was " + ngramMin);
      }
      if (ngramMax < ngramMin || ngramMax > MAX_NGRAM) {
        throw new IllegalArgumentException(
            "ngram-max must be in [ngram-min, "
                + MAX_NGRAM
                + "] = ["
                + ngramMin
                + ", "
                + MAX_NGRAM
                + "], was "
                + ngramMax);
      }
      if (branches < 1 || branches > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
        throw new IllegalArgumentException(
            "branches must be in [1, "
                + SpeculativeDecoder.MAX_DRAFT_TOKENS
                + "], was "
                + branches);
      }
    }

    /**
     * The default shortest match for {@code drafter}: 1 for {@link DrafterKind#LOOKUP}, which has
     * nothing else to draft with; 2 for {@link DrafterKind#LOOKUP_DRAFT}, where a single matching
     * token is too weak a hint to pass over the draft model.
     */
    public static int defaultNgramMin(DrafterKind drafter) {
      return drafter == DrafterKind.LOOKUP_DRAFT ? 2 : 1;
    }

    /** Suffixes of 3 down to {@link #defaultNgramMin}, one chain. */
    public static Lookup defaultsFor(DrafterKind drafter) {
      return new Lookup(DEFAULT_NGRAM_MAX, defaultNgramMin(drafter), 1);
    }

    /**
     * The drafting module's configuration for {@code k} drafts per proposal, inspecting up to
     * {@link LookupConfig#defaults()}'s number of occurrences per n-gram length (at least {@code
     * branches}).
     */
    public LookupConfig config(int k) {
      int candidates = Math.max(LookupConfig.defaults().maxCandidates(), branches);
      return new LookupConfig(ngramMax, ngramMin, k, branches, candidates);
    }
  }

  /**
   * Settings of the {@link DrafterKind#MTP} drafter. The most drafts per proposal is the options'
   * k.
   *
   * @param depth the most chained MTP steps: the deepest draft, in {@code [1, 64]}
   * @param branches children per expanded node, in {@code [1, 64]}; 1 drafts a chain
   */
  public record Mtp(int depth, int branches) {
    /** Validates ranges with messages naming the setting and its value. */
    public Mtp {
      if (depth < 1 || depth > MtpConfig.MAX) {
        throw new IllegalArgumentException(
            "depth must be in [1, " + MtpConfig.MAX + "], was " + depth);
      }
      if (branches < 1 || branches > MtpConfig.MAX) {
        throw new IllegalArgumentException(
            "MTP branches must be in [1, " + MtpConfig.MAX + "], was " + branches);
      }
    }

    /** A chain as long as k allows: depth k (at least 1), one branch. */
    public static Mtp defaultsFor(int draftTokens) {
      return new Mtp(Math.max(1, Math.min(draftTokens, MtpConfig.MAX)), 1);
    }

    /** The drafting module's configuration for {@code k} drafts per proposal. */
    public MtpConfig config(int k) {
      return new MtpConfig(depth, branches, k);
    }
  }

  /** Starts from a bundle's defaults; each setter overrides one of them. */
  public static final class Builder {
    private DrafterKind drafter;
    private int draftTokens;
    private double temperature;
    private int topK;
    private double topP;
    private long seed;
    private int maxNewTokens;
    private Integer ngramMax; // null: the default for the drafter
    private Integer ngramMin;
    private Integer branches;
    private AcceptanceRule acceptance; // null: the rule the sampling calls for
    private Integer depth; // null: the MTP default, k
    private Integer mtpBranches; // null: 1
    private TreeSpec tree; // null: none (medusa: DEFAULT_MEDUSA_TREE)
    private BudgetMode budget = BudgetMode.FIXED;
    private boolean draftTokensSet;

    private Builder(GenerationDefaults defaults, boolean hasDraft) {
      this.drafter = hasDraft ? DrafterKind.DRAFT : DrafterKind.NONE;
      this.draftTokens = defaults.draftTokens();
      this.temperature = defaults.temperature();
      this.topK = defaults.topK();
      this.topP = defaults.topP();
      this.maxNewTokens = defaults.maxNewTokens();
    }

    /** The drafter. */
    public Builder drafter(DrafterKind drafter) {
      this.drafter = Objects.requireNonNull(drafter, "drafter");
      return this;
    }

    /** The most drafts per step, k; 0 means plain decoding. */
    public Builder draftTokens(int k) {
      this.draftTokens = k;
      this.draftTokensSet = true;
      return this;
    }

    /** The softmax temperature; 0 for greedy. */
    public Builder temperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** Keep the k most likely tokens; 0 keeps all. */
    public Builder topK(int topK) {
      this.topK = topK;
      return this;
    }

    /** Nucleus mass in {@code (0, 1]}; 1 keeps all. */
    public Builder topP(double topP) {
      this.topP = topP;
      return this;
    }

    /** The seed of the decoder's random generator. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The most new tokens. */
    public Builder maxNewTokens(int maxNewTokens) {
      this.maxNewTokens = maxNewTokens;
      return this;
    }

    /** The longest suffix the lookup drafters look up; default 3. */
    public Builder ngramMax(int ngramMax) {
      this.ngramMax = ngramMax;
      return this;
    }

    /**
     * The shortest suffix that counts as a match for the lookup drafters; default {@link
     * Lookup#defaultNgramMin} for the drafter, lowered to ngram-max when that is smaller.
     */
    public Builder ngramMin(int ngramMin) {
      this.ngramMin = ngramMin;
      return this;
    }

    /** The most sibling branches the lookup drafters propose; default 1, a chain. */
    public Builder branches(int branches) {
      this.branches = branches;
      return this;
    }

    /** The MTP drafter's most chained steps; default k. */
    public Builder depth(int depth) {
      this.depth = depth;
      return this;
    }

    /** The MTP drafter's children per expanded node; default 1, a chain. */
    public Builder mtpBranches(int branches) {
      this.mtpBranches = branches;
      return this;
    }

    /**
     * The token tree of the medusa drafter (default {@link #DEFAULT_MEDUSA_TREE}) or of the draft
     * drafter (default none: a chain). Unless k is set explicitly, k becomes the tree's most
     * drafts.
     */
    public Builder tree(TreeSpec tree) {
      this.tree = Objects.requireNonNull(tree, "tree");
      return this;
    }

    /** Fixed (default) or adaptive budgets; plain decoding ignores it. */
    public Builder budget(BudgetMode budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /** The acceptance rule, overriding the one the sampling calls for. */
    public Builder acceptance(AcceptanceRule acceptance) {
      this.acceptance = Objects.requireNonNull(acceptance, "acceptance");
      return this;
    }

    /**
     * Validates and builds. Plain decoding is normalized: drafter {@code none} gets k = 0, and k =
     * 0 gets drafter {@code none}. Lookup settings are kept only for the lookup drafters.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public DecodeOptions build() {
      SamplingConfig sampling = new SamplingConfig(temperature, topK, topP);
      boolean plain = drafter == DrafterKind.NONE || draftTokens == 0;
      if (plain && draftTokens >= 0 && draftTokens <= SpeculativeDecoder.MAX_DRAFT_TOKENS) {
        return new DecodeOptions(
            DrafterKind.NONE,
            0,
            sampling,
            seed,
            maxNewTokens,
            Optional.empty(),
            Optional.ofNullable(acceptance));
      }
      Optional<Lookup> lookup = Optional.empty();
      if (drafter.usesLookup()) {
        int max = ngramMax != null ? ngramMax : Lookup.DEFAULT_NGRAM_MAX;
        int min =
            ngramMin != null
                ? ngramMin
                : Math.max(1, Math.min(Lookup.defaultNgramMin(drafter), max));
        lookup = Optional.of(new Lookup(max, min, branches != null ? branches : 1));
      }
      Optional<Mtp> mtp = Optional.empty();
      if (drafter.needsMtpModule()) {
        Mtp defaults = Mtp.defaultsFor(draftTokens);
        mtp =
            Optional.of(
                new Mtp(
                    depth != null ? depth : defaults.depth(),
                    mtpBranches != null ? mtpBranches : defaults.branches()));
      }
      TreeSpec treeSpec =
          drafter == DrafterKind.MEDUSA && tree == null
              ? TreeSpec.parse(DEFAULT_MEDUSA_TREE)
              : drafter.takesTree() ? tree : null;
      if (treeSpec != null
          && !draftTokensSet
          && treeSpec.maxDrafts() > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
        // Cutting such a tree to its first 64 nodes silently would verify another tree than the
        // one asked for.
        throw new IllegalArgumentException(
            "tree "
                + treeSpec.describe()
                + " has "
                + treeSpec.maxDrafts()
                + " drafts, more than the "
                + SpeculativeDecoder.MAX_DRAFT_TOKENS
                + " one pass verifies: use a tree of at most "
                + SpeculativeDecoder.MAX_DRAFT_TOKENS
                + " nodes, or set k to verify only its first k nodes");
      }
      int k = treeSpec != null && !draftTokensSet ? treeSpec.maxDrafts() : draftTokens;
      return new DecodeOptions(
          drafter,
          k,
          sampling,
          seed,
          maxNewTokens,
          lookup,
          Optional.ofNullable(acceptance),
          mtp,
          Optional.ofNullable(treeSpec),
          budget);
    }
  }
}
