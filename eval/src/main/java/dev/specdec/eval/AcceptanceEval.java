package dev.specdec.eval;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StepListener;
import dev.specdec.verification.StepRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The acceptance-rate harness behind {@code specdec eval}: runs a prompt set through configurations
 * and records, per prompt, the speculative run with every step (accepted length, accepted nodes,
 * drafter and verifier time) and the plain run of the same target, prompt and seed.
 *
 * <p>Per config the bundle is loaded once. Before the measured runs, each decoder decodes the first
 * prompt {@code warmup} times untimed (JIT and ONNX Runtime warm-up). Then every prompt is decoded
 * once speculatively and once plainly, both with the config's seed. Nothing here is
 * drafter-specific: a drafter that {@link BundleDecoder} can build is evaluated as it is, its tree
 * shape read from the step records.
 *
 * <p>Not thread-safe; runs on the calling thread.
 */
public final class AcceptanceEval {
  private final int warmup;
  private final boolean truncatePrompts;

  /**
   * A harness.
   *
   * @param warmup untimed runs of each decoder on the first prompt per config, {@code >= 0}
   * @param truncatePrompts whether a prompt that leaves less room than the most new tokens is cut
   *     from the left (BOS kept) to fit; otherwise such a prompt is decoded as it is (and stops
   *     when the context is full), and one that does not fit at all is an error
   */
  public AcceptanceEval(int warmup, boolean truncatePrompts) {
    if (warmup < 0) {
      throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
    }
    this.warmup = warmup;
    this.truncatePrompts = truncatePrompts;
  }

  /**
   * One config per drafter that {@code bundle} can run, each named after its drafter with the
   * settings of {@code base} (called once per config): what {@code specdec eval} runs when no
   * config is given.
   */
  public static List<BenchConfig> defaultConfigs(
      ModelBundle bundle, Supplier<DecodeOptions.Builder> base) {
    List<BenchConfig> configs = new ArrayList<>();
    for (DrafterKind kind : DrafterKind.values()) {
      if (runnable(kind, bundle)) {
        configs.add(new BenchConfig(kind.toString(), base.get().drafter(kind).build()));
      }
    }
    return configs;
  }

  /**
   * Whether the harness evaluates {@code kind} on {@code bundle} by default. Adding a drafter to
   * the harness is one line here: the switch is exhaustive, so a new {@link DrafterKind} does not
   * compile until it says what it needs.
   */
  static boolean runnable(DrafterKind kind, ModelBundle bundle) {
    return switch (kind) {
      case NONE -> false; // the baseline every config is measured against
      case DRAFT, LOOKUP_DRAFT -> bundle.draft().isPresent();
      case LOOKUP -> true;
      case MTP -> bundle.mtp().isPresent();
      case MEDUSA -> bundle.medusa().isPresent();
    };
  }

  /**
   * Evaluates every config on every prompt, loading {@code bundle} on {@code device} once per
   * config and closing it before the next.
   *
   * @param configs the configs, all with the same most new tokens
   * @param progress told before each prompt of each config
   * @throws IllegalArgumentException when there are no configs or prompts, the configs disagree on
   *     the most new tokens, or a prompt does not fit (the message names config, prompt and the way
   *     out)
   * @throws BundleException when a config needs a model the bundle lacks
   * @throws IOException when a model file cannot be read
   * @throws ModelContractException when a model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, EngineOptions.defaults(), configs, prompts, progress);
  }

  /**
   * {@link #run(ModelBundle, Device, List, List, SpeedBenchmark.Progress)} with the models on an
   * engine with {@code engineOptions} (threads, spinning).
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    return run(
        bundle.name(),
        configs,
        prompts,
        config ->
            EvalSession.of(BundleDecoder.open(bundle, device, engineOptions, config.options())),
        progress);
  }

  /** {@link #run(ModelBundle, Device, List, List, SpeedBenchmark.Progress)} over any sessions. */
  EvalReport run(
      String bundleName,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      EvalSession.Opener opener,
      SpeedBenchmark.Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundleName, "bundleName");
    Objects.requireNonNull(opener, "opener");
    Objects.requireNonNull(progress, "progress");
    if (configs.isEmpty()) {
      throw new IllegalArgumentException("no configs to evaluate");
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to decode");
    }
    int maxNewTokens = BenchConfig.sharedMaxNewTokens(configs);
    List<ConfigEval> results = new ArrayList<>(configs.size());
    for (BenchConfig config : configs) {
      try (EvalSession session = opener.open(config)) {
        results.add(ConfigEval.of(config, evaluate(session, config, prompts, progress)));
      }
    }
    return new EvalReport(bundleName, prompts.size(), maxNewTokens, warmup, results);
  }

  private List<PromptRun> evaluate(
      EvalSession session,
      BenchConfig config,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress) {
    long seed = config.options().seed();
    int maxNewTokens = config.options().maxNewTokens();
    List<PromptRun> runs = new ArrayList<>(prompts.size());
    for (int p = 0; p < prompts.size(); p++) {
      BenchPrompt prompt = prompts.get(p);
      progress.onPrompt(config, p + 1, prompts.size());
      try {
        int[] full = session.promptTokens(prompt.text());
        int[] ids = fit(full, session.capacity(), maxNewTokens);
        if (p == 0) {
          for (int w = 0; w < warmup; w++) {
            session.generate(ids, seed, false, StepListener.NONE);
            session.generate(ids, seed, true, StepListener.NONE);
          }
        }
        List<StepRecord> steps = new ArrayList<>();
        DecodeResult speculative = session.generate(ids, seed, false, steps::add);
        DecodeResult plain = session.generate(ids, seed, true, StepListener.NONE);
        runs.add(
            new PromptRun(prompt, ids.length, ids.length < full.length, speculative, plain, steps));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "config " + config.name() + ", prompt " + prompt.id() + ": " + e.getMessage(), e);
      }
    }
    return runs;
  }

  /**
   * The prompt as decoded: as it is, or (when truncating and it leaves less room than {@code
   * maxNewTokens}) its first token (BOS) and its last tokens, so that {@code maxNewTokens} fit.
   */
  private int[] fit(int[] ids, int capacity, int maxNewTokens) {
    if (!truncatePrompts || ids.length + maxNewTokens <= capacity) {
      if (ids.length >= capacity) {
        throw new IllegalArgumentException(
            "the prompt has "
                + ids.length
                + " tokens, the context holds "
                + capacity
                + ": shorten it, or let the harness cut it from the left (--truncate-prompts)");
      }
      return ids;
    }
    int keep = capacity - maxNewTokens;
    if (keep < 2) {
      throw new IllegalArgumentException(
          "max new tokens "
              + maxNewTokens
              + " leave no room for a prompt in the context of "
              + capacity
              + " tokens: ask for at most "
              + (capacity - 2));
    }
    int[] cut = new int[keep];
    cut[0] = ids[0];
    System.arraycopy(ids, ids.length - (keep - 1), cut, 1, keep - 1);
    return cut;
  }
}
