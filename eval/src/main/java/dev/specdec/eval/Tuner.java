package dev.specdec.eval;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.tree.TreeShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The search behind {@code specdec tune}: which drafter and settings pay on this machine, per
 * prompt category.
 *
 * <ol>
 *   <li><b>Sweep</b> (cheap): every candidate decodes a few prompts per category for a few tokens
 *       ({@link AcceptanceEval}), and its speedup is predicted from the step records and the
 *       target's pass cost ({@link SpeedPrediction}), not timed.
 *   <li><b>Measure</b>: per category the best {@link Settings#shortlist()} by prediction, and over
 *       all prompts the best few overall, are measured for real, interleaved with plain decoding
 *       ({@link SpeedBenchmark}); plain decoding itself ({@code drafter=none}) is always measured,
 *       so a profile can say that nothing beats it.
 *   <li><b>Profile</b>: the best measured config per category and overall ({@link TuneProfile}).
 * </ol>
 *
 * <p>Not thread-safe; runs on the calling thread.
 */
public final class Tuner {
  /** The name of the plain-decoding candidate, always measured. */
  public static final String PLAIN = "none";

  /**
   * How much a tuning run does.
   *
   * @param sweepTokens new tokens per sweep run, {@code >= 1}
   * @param sweepPromptsPerCategory prompts of each category in the sweep, {@code >= 1}
   * @param shortlist candidates measured per category and overall besides plain decoding, {@code >=
   *     1}
   * @param repeats measured rounds per prompt, {@code >= 1}
   * @param warmup untimed runs per decoder and prompt before them, {@code >= 0}
   */
  public record Settings(
      int sweepTokens, int sweepPromptsPerCategory, int shortlist, int repeats, int warmup) {
    /** Validates the ranges, naming the setting. */
    public Settings {
      if (sweepTokens < 1) {
        throw new IllegalArgumentException("sweep tokens must be >= 1, was " + sweepTokens);
      }
      if (sweepPromptsPerCategory < 1) {
        throw new IllegalArgumentException(
            "sweep prompts per category must be >= 1, was " + sweepPromptsPerCategory);
      }
      if (shortlist < 1) {
        throw new IllegalArgumentException("shortlist must be >= 1, was " + shortlist);
      }
      if (repeats < 1) {
        throw new IllegalArgumentException("repeats must be >= 1, was " + repeats);
      }
      if (warmup < 0) {
        throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
      }
    }
  }

  /**
   * A candidate of the sweep.
   *
   * @param name a short name (e.g. {@code draft-k2})
   * @param spec the drafter's spec as {@code --config} takes it
   */
  public record Candidate(String name, String spec) {
    /** Validates presence. */
    public Candidate {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(spec, "spec");
    }
  }

  /**
   * What a tuning run found.
   *
   * @param profile the best configs, measured
   * @param sweep the sweep: every candidate's step records, metrics and predicted speedup
   * @param measured the interleaved measurements of the shortlisted configs (a config measured for
   *     one category is named {@code NAME@CATEGORY})
   */
  public record Result(TuneProfile profile, EvalReport sweep, BenchReport measured) {
    /** Validates presence. */
    public Result {
      Objects.requireNonNull(profile, "profile");
      Objects.requireNonNull(sweep, "sweep");
      Objects.requireNonNull(measured, "measured");
    }
  }

  /** Told what the tuner is doing: a stage line, then per config and prompt. */
  public interface Progress extends SpeedBenchmark.Progress {
    /** A stage starts (sweep, measure). */
    void onStage(String stage);
  }

  private final Settings settings;

  /** A tuner with {@code settings}. */
  public Tuner(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /**
   * The default sweep for {@code bundle}: plain decoding; the draft model at k = 1..8, on the
   * shipped trees medusa-8 and medusa-16, and adaptive; prompt lookup at k = 4 and 8 (and
   * lookup+draft); Medusa on every shipped tree and adaptive; MTP chains of depth 1..4, a tree of
   * depth 2 with 2 branches, and adaptive. Only the drafters the bundle can run.
   */
  public static List<Candidate> candidates(ModelBundle bundle) {
    List<Candidate> out = new ArrayList<>();
    out.add(new Candidate(PLAIN, "drafter=none"));
    if (bundle.draft().isPresent()) {
      for (int k = 1; k <= 8; k++) {
        out.add(new Candidate("draft-k" + k, "drafter=draft,k=" + k));
      }
      for (String tree : List.of("medusa-8", "medusa-16")) {
        out.add(new Candidate("draft-" + tree, "drafter=draft,tree=" + tree));
      }
      out.add(new Candidate("draft-auto", "drafter=draft,k=8,budget=auto"));
    }
    out.add(new Candidate("lookup-k4", "drafter=lookup,k=4"));
    out.add(new Candidate("lookup-k8", "drafter=lookup,k=8"));
    if (bundle.draft().isPresent()) {
      out.add(new Candidate("lookup+draft-k4", "drafter=lookup+draft,k=4"));
    }
    if (bundle.medusa().isPresent()) {
      for (String tree : TreeShapes.SHIPPED) {
        out.add(new Candidate("medusa-" + tree, "drafter=medusa,tree=" + tree));
      }
      out.add(new Candidate("medusa-auto", "drafter=medusa,tree=medusa-63,budget=auto"));
    }
    if (bundle.mtp().isPresent()) {
      for (int d = 1; d <= 4; d++) {
        out.add(new Candidate("mtp-d" + d, "drafter=mtp,k=" + d + ",depth=" + d));
      }
      out.add(new Candidate("mtp-d2b2", "drafter=mtp,k=6,depth=2,mtp-branches=2"));
      out.add(new Candidate("mtp-auto", "drafter=mtp,k=8,depth=8,budget=auto"));
    }
    return out;
  }

  /**
   * The spec of {@code options} with the drafter's keys only: what a profile stores, so that the
   * command that reads it keeps its own sampling.
   */
  public static String drafterSpec(BenchConfig config) {
    List<String> kept = new ArrayList<>();
    for (String pair : config.spec().split(",")) {
      String key = pair.substring(0, pair.indexOf('='));
      if (!List.of("temperature", "top-k", "top-p", "acceptance").contains(key)) {
        kept.add(pair);
      }
    }
    return String.join(",", kept);
  }

  /**
   * Tunes {@code candidates} on {@code prompts}: the profile (not written) and what it came from.
   *
   * @param configOf parses a candidate's spec into a config with the given most new tokens; it
   *     starts from the options the command line and bundle set (seed, sampling)
   * @param promptsName the prompt set, as the profile names it
   * @param targetCost the target's costs on this machine (pass cost and verification overhead)
   * @param threads ONNX Runtime intra-op threads, for the profile's machine
   * @throws IllegalStateException when the run is cancelled (no profile is made)
   */
  public Result run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<Candidate> candidates,
      ConfigMaker configOf,
      List<BenchPrompt> prompts,
      String promptsName,
      int maxNewTokens,
      CostModel targetCost,
      Progress progress,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidates to tune");
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to tune on");
    }
    Map<String, Candidate> byName = new LinkedHashMap<>();
    if (candidates.stream().noneMatch(c -> c.name().equals(PLAIN))) {
      byName.put(PLAIN, new Candidate(PLAIN, "drafter=none"));
    }
    for (Candidate c : candidates) {
      if (byName.put(c.name(), c) != null) {
        throw new IllegalArgumentException("candidate name '" + c.name() + "' given twice");
      }
    }
    List<String> categories = categories(prompts);

    progress.onStage(
        "sweep: "
            + byName.size()
            + " configs x "
            + settings.sweepPromptsPerCategory()
            + " prompt(s) per category x "
            + settings.sweepTokens()
            + " tokens, predicted from the step records and the pass cost");
    List<BenchConfig> sweepConfigs = new ArrayList<>();
    for (Candidate c : byName.values()) {
      sweepConfigs.add(configOf.make(c, settings.sweepTokens()));
    }
    EvalReport sweep =
        new AcceptanceEval(1, true, Optional.of(targetCost))
            .run(
                bundle,
                device,
                engineOptions,
                sweepConfigs,
                sweepPrompts(prompts, categories),
                progress,
                cancellation);
    if (!sweep.complete()) {
      throw new IllegalStateException("tuning was interrupted during the sweep: no profile made");
    }
    Map<String, ConfigEval> predicted = new LinkedHashMap<>();
    sweep.configs().forEach(c -> predicted.put(c.config().name(), c));

    // What to measure: per category its best by prediction, over all prompts the best overall,
    // and plain decoding everywhere (the control that says whether anything pays).
    Set<String> overallList = shortlist(predicted, m -> m.overall());
    Map<String, Set<String>> categoryLists = new LinkedHashMap<>();
    for (String category : categories) {
      categoryLists.put(
          category, shortlist(predicted, c -> c.byCategory().getOrDefault(category, c.overall())));
    }
    List<BenchConfig> measured = new ArrayList<>();
    for (String name : overallList) {
      measured.add(rename(configOf.make(byName.get(name), maxNewTokens), name));
    }
    for (var e : categoryLists.entrySet()) {
      for (String name : e.getValue()) {
        measured.add(
            rename(configOf.make(byName.get(name), maxNewTokens), name + "@" + e.getKey())
                .onlyFor(Set.of(e.getKey())));
      }
    }
    progress.onStage(
        "measure: "
            + measured.size()
            + " (config, category) pairs, interleaved with plain decoding, "
            + settings.repeats()
            + " round(s)");
    BenchReport bench =
        new SpeedBenchmark(settings.repeats(), settings.warmup())
            .run(bundle, device, engineOptions, measured, prompts, progress, cancellation);
    if (!bench.complete()) {
      throw new IllegalStateException("tuning was interrupted while measuring: no profile made");
    }
    Map<String, BenchResult> results = new LinkedHashMap<>();
    bench.configs().forEach(r -> results.put(r.config().name(), r));

    TuneProfile.Choice overall =
        best(overallList, n -> results.get(n), n -> predicted.get(n).overall(), byName, configOf);
    Map<String, TuneProfile.Choice> perCategory = new LinkedHashMap<>();
    for (var e : categoryLists.entrySet()) {
      String category = e.getKey();
      perCategory.put(
          category,
          best(
              e.getValue(),
              n -> results.get(n + "@" + category),
              n -> predicted.get(n).byCategory().getOrDefault(category, predicted.get(n).overall()),
              byName,
              configOf));
    }
    List<TuneProfile.Choice> all = new ArrayList<>();
    for (Candidate c : byName.values()) {
      BenchResult r = results.get(c.name());
      all.add(
          choice(
              c,
              configOf,
              predicted.get(c.name()).overall().predictedSpeedup(),
              Optional.ofNullable(r)));
    }
    TuneProfile profile =
        new TuneProfile(
            bundle.name(),
            Files.size(bundle.target()),
            TuneProfile.Machine.current(engineOptions.intraOpThreads(), targetCost.target().key()),
            Instant.now().toString(),
            promptsName,
            maxNewTokens,
            overall,
            perCategory,
            all);
    return new Result(profile, sweep, bench);
  }

  /** Parses a candidate into a config of a given most new tokens. */
  @FunctionalInterface
  public interface ConfigMaker {
    /**
     * The config of {@code candidate}, named after it, decoding at most {@code maxNewTokens}.
     *
     * @throws IllegalArgumentException when the spec is invalid
     */
    BenchConfig make(Candidate candidate, int maxNewTokens);
  }

  private Set<String> shortlist(
      Map<String, ConfigEval> predicted, Function<ConfigEval, EvalMetrics> metrics) {
    Set<String> out = new LinkedHashSet<>();
    predicted.values().stream()
        .filter(c -> !c.config().name().equals(PLAIN))
        .filter(c -> Double.isFinite(metrics.apply(c).predictedSpeedup()))
        .sorted(
            Comparator.comparingDouble((ConfigEval c) -> metrics.apply(c).predictedSpeedup())
                .reversed())
        .limit(settings.shortlist())
        .forEach(c -> out.add(c.config().name()));
    out.add(PLAIN);
    return out;
  }

  private static TuneProfile.Choice best(
      Set<String> names,
      Function<String, BenchResult> result,
      Function<String, EvalMetrics> prediction,
      Map<String, Candidate> byName,
      ConfigMaker configOf) {
    String best = PLAIN;
    double bestSpeedup = Double.NEGATIVE_INFINITY;
    for (String name : names) {
      double s = result.apply(name).medianSpeedup();
      // Plain decoding measured against itself reads about 1 +- noise: a drafter must beat that
      // reading, not 1, to be chosen.
      if (Double.isFinite(s) && s > bestSpeedup) {
        best = name;
        bestSpeedup = s;
      }
    }
    return choice(
        byName.get(best),
        configOf,
        prediction.apply(best).predictedSpeedup(),
        Optional.of(result.apply(best)));
  }

  private static TuneProfile.Choice choice(
      Candidate c, ConfigMaker configOf, double predicted, Optional<BenchResult> measured) {
    return new TuneProfile.Choice(
        c.name(),
        drafterSpec(configOf.make(c, 1)),
        predicted,
        measured.map(BenchResult::medianSpeedup).orElse(Double.NaN),
        measured.map(BenchResult::minSpeedup).orElse(Double.NaN),
        measured.map(BenchResult::maxSpeedup).orElse(Double.NaN));
  }

  private static BenchConfig rename(BenchConfig config, String name) {
    return new BenchConfig(name, config.options(), config.categories());
  }

  private static List<String> categories(List<BenchPrompt> prompts) {
    Set<String> out = new LinkedHashSet<>();
    prompts.forEach(p -> out.add(p.category().orElse(EvalReport.UNCATEGORIZED)));
    return List.copyOf(out);
  }

  private List<BenchPrompt> sweepPrompts(List<BenchPrompt> prompts, List<String> categories) {
    Map<String, Integer> taken = new LinkedHashMap<>();
    List<BenchPrompt> out = new ArrayList<>();
    for (BenchPrompt p : prompts) {
      String category = p.category().orElse(EvalReport.UNCATEGORIZED);
      int n = taken.merge(category, 1, Integer::sum);
      if (n <= settings.sweepPromptsPerCategory()) {
        out.add(p);
      }
    }
    return out;
  }
}
