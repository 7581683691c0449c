package dev.specdec.eval;

import dev.specdec.DrafterSpec;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.AcceptanceRule;
import dev.specdec.verification.SpeculativeDecoder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link BundleDecoder} decodes: which drafter with which settings (a {@link DrafterSpec},
 * which validates its own settings), the sampling, the acceptance rule and the budget.
 *
 * @param drafter the drafter and its settings; {@link DrafterSpec#none()} for plain decoding
 * @param sampling the target's (and the draft's) warping; temperature 0 selects the greedy rule,
 *     anything else exact rejection sampling
 * @param seed seeds the decoder's generator; the draft model's generator is derived from it
 * @param maxNewTokens the most new tokens, {@code >= 1}
 * @param acceptance an explicit acceptance rule; empty for the one the sampling calls for (greedy
 *     at temperature 0, rejection sampling otherwise)
 * @param budget fixed (k or the tree every step) or auto (each step drafts what pays, at most k);
 *     plain decoding is always fixed
 */
public record DecodeOptions(
    DrafterSpec drafter,
    SamplingConfig sampling,
    long seed,
    int maxNewTokens,
    Optional<AcceptanceRule> acceptance,
    BudgetMode budget) {

  /** The drafter names {@link Builder#drafter(String)} takes, as reports spell them. */
  public static final List<String> DRAFTERS =
      List.of("none", "draft", "lookup", "lookup+draft", "mtp", "medusa");

  /** Validates what the drafter spec cannot: how it goes with the sampling and the budget. */
  public DecodeOptions {
    Objects.requireNonNull(drafter, "drafter");
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(acceptance, "acceptance");
    Objects.requireNonNull(budget, "budget");
    if (drafter instanceof DrafterSpec.None && budget == BudgetMode.AUTO) {
      throw new IllegalArgumentException(
          "budget auto sizes the drafts of a drafter; drafter none drafts nothing (use fixed)");
    }
    if (acceptance.orElse(null) instanceof AcceptanceRule.Greedy && !sampling.isGreedy()) {
      throw new IllegalArgumentException(
          "greedy acceptance needs temperature 0, was temperature "
              + sampling.temperature()
              + ": use rejection (exact) or typical");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max new tokens must be >= 1, was " + maxNewTokens);
    }
  }

  /** Options with the rule the sampling calls for and a fixed budget. */
  public DecodeOptions(DrafterSpec drafter, SamplingConfig sampling, long seed, int maxNewTokens) {
    this(drafter, sampling, seed, maxNewTokens, Optional.empty(), BudgetMode.FIXED);
  }

  /**
   * A builder that starts from {@code bundle}'s recommended generation settings, with the draft
   * drafter when the bundle has a draft model and seed 0.
   */
  public static Builder defaultsFor(ModelBundle bundle) {
    return new Builder(bundle.generation(), bundle.draft().isPresent());
  }

  /** The most drafts per step, k: the drafter's; 0 for plain decoding. */
  public int draftTokens() {
    return drafter.draftTokens();
  }

  /**
   * The token tree the drafter fills: the medusa drafter's, or the draft model's when it is one.
   */
  public Optional<TreeSpec> tree() {
    return switch (drafter) {
      case DrafterSpec.Medusa m -> Optional.of(m.tree());
      case DrafterSpec.DraftTree d -> Optional.of(d.tree());
      default -> Optional.empty();
    };
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
   * Starts from a bundle's defaults; each setter overrides one of them. Settings that the chosen
   * drafter does not take (lookup settings for the draft drafter, say) are dropped: the command
   * line rejects them before they get here.
   */
  public static final class Builder {
    /** The longest n-gram the lookup index supports. */
    public static final int MAX_NGRAM = 16;

    private String drafter;
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
    private BudgetMode budget; // null: BudgetMode.defaultFor(the sampling)
    private boolean draftTokensSet;

    private Builder(GenerationDefaults defaults, boolean hasDraft) {
      this.drafter = hasDraft ? "draft" : "none";
      this.draftTokens = defaults.draftTokens();
      this.temperature = defaults.temperature();
      this.topK = defaults.topK();
      this.topP = defaults.topP();
      this.maxNewTokens = defaults.maxNewTokens();
    }

    /**
     * The drafter, by the name reports use: one of {@link #DRAFTERS}.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public Builder drafter(String name) {
      Objects.requireNonNull(name, "drafter");
      if (!DRAFTERS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown drafter '" + name + "': expected one of " + String.join(", ", DRAFTERS));
      }
      this.drafter = name;
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
     * #defaultNgramMin} for the drafter, lowered to ngram-max when that is smaller.
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
     * The token tree of the medusa drafter (default {@link DrafterSpec#DEFAULT_MEDUSA_TREE}) or of
     * the draft drafter (default none: a chain). Unless k is set explicitly, k becomes the tree's
     * most drafts.
     */
    public Builder tree(TreeSpec tree) {
      this.tree = Objects.requireNonNull(tree, "tree");
      return this;
    }

    /**
     * Fixed or adaptive budgets; unset, {@link BudgetMode#defaultFor} the sampling (adaptive when
     * greedy). Plain decoding ignores it.
     */
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
     * The default shortest match for a lookup drafter: 1 for {@code lookup}, which has nothing else
     * to draft with; 2 for {@code lookup+draft}, where a single matching token is too weak a hint
     * to pass over the draft model.
     */
    public static int defaultNgramMin(String drafter) {
      return drafter.equals("lookup+draft") ? 2 : 1;
    }

    /**
     * Validates and builds. Plain decoding is normalized: drafter {@code none} gets k = 0, and k =
     * 0 gets drafter {@code none}.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public DecodeOptions build() {
      SamplingConfig sampling = new SamplingConfig(temperature, topK, topP);
      Optional<AcceptanceRule> rule = Optional.ofNullable(acceptance);
      if (draftTokens < 0 || draftTokens > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
        throw new IllegalArgumentException(
            "draft tokens per step (k) must be in [0, "
                + SpeculativeDecoder.MAX_DRAFT_TOKENS
                + "], was "
                + draftTokens);
      }
      if (drafter.equals("none") || draftTokens == 0) {
        return new DecodeOptions(
            DrafterSpec.none(), sampling, seed, maxNewTokens, rule, BudgetMode.FIXED);
      }
      return new DecodeOptions(
          spec(),
          sampling,
          seed,
          maxNewTokens,
          rule,
          budget != null ? budget : BudgetMode.defaultFor(sampling));
    }

    private DrafterSpec spec() {
      return switch (drafter) {
        // A tree is dropped by the drafters that draw none (the command line rejects it first).
        case "draft" -> tree == null ? DrafterSpec.draftModel(k()) : draftTree();
        case "medusa" -> new DrafterSpec.Medusa(treeOrDefault(), treeK(treeOrDefault()));
        case "mtp" ->
            new DrafterSpec.Mtp(
                depth != null ? depth : Math.max(1, Math.min(k(), MtpConfig.MAX)),
                mtpBranches != null ? mtpBranches : 1,
                k());
        case "lookup", "lookup+draft" -> lookup();
        default -> throw new IllegalStateException("drafter " + drafter);
      };
    }

    private DrafterSpec draftTree() {
      return new DrafterSpec.DraftTree(tree, treeK(tree));
    }

    private DrafterSpec lookup() {
      int max = ngramMax != null ? ngramMax : DrafterSpec.Lookup.DEFAULT_NGRAM_MAX;
      int min = ngramMin != null ? ngramMin : Math.max(1, Math.min(defaultNgramMin(drafter), max));
      int b = branches != null ? branches : 1;
      if (b > k()) {
        throw new IllegalArgumentException(
            "branches ("
                + b
                + ") must be <= draft tokens per step k ("
                + k()
                + "): each branch takes at least one draft token");
      }
      return drafter.equals("lookup")
          ? DrafterSpec.lookup(max, min, k(), b)
          : DrafterSpec.lookupThenDraft(max, min, k(), b);
    }

    private int k() {
      if (draftTokens == 0) {
        throw new IllegalArgumentException(
            "the "
                + drafter
                + " drafter needs k >= 1 draft tokens per step (k = 0 is plain decoding: use"
                + " drafter none)");
      }
      return draftTokens;
    }

    private TreeSpec treeOrDefault() {
      return tree != null ? tree : TreeSpec.parse(DrafterSpec.DEFAULT_MEDUSA_TREE);
    }

    /** k of a tree drafter: the tree's most drafts unless k was set. */
    private int treeK(TreeSpec treeSpec) {
      if (draftTokensSet) {
        return k();
      }
      if (treeSpec.maxDrafts() > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
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
      return treeSpec.maxDrafts();
    }
  }
}
