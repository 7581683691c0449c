package dev.specdec.eval;

import dev.specdec.DrafterSpec;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StepListener;
import dev.specdec.verification.StepRecord;
import dev.specdec.verification.StopReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
  private final Optional<CostModel> targetCost;

  /**
   * A harness.
   *
   * @param warmup untimed runs of each decoder on the first prompt per config, {@code >= 0}
   * @param truncatePrompts whether a prompt that leaves less room than the most new tokens is cut
   *     from the left (BOS kept) to fit; otherwise such a prompt is decoded as it is (and stops
   *     when the context is full), and one that does not fit at all is an error
   */
  public AcceptanceEval(int warmup, boolean truncatePrompts) {
    this(warmup, truncatePrompts, Optional.empty());
  }

  /**
   * A harness that also predicts each config's speedup from its step records under {@code
   * targetCost}, the target's measured costs on this machine ({@link SpeedPrediction}).
   *
   * @param targetCost the target's cost model; empty: predicted speedups are {@code NaN}
   */
  public AcceptanceEval(int warmup, boolean truncatePrompts, Optional<CostModel> targetCost) {
    this.targetCost = Objects.requireNonNull(targetCost, "targetCost");
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
    for (String name : DecodeOptions.DRAFTERS) {
      DecodeOptions options = base.get().drafter(name).build();
      if (runnable(options.drafter(), bundle)) {
        configs.add(new BenchConfig(name, options));
      }
    }
    return configs;
  }

  /**
   * Whether the harness evaluates {@code drafter} on {@code bundle} by default: every drafter whose
   * models the bundle has, but plain decoding, the baseline every config is measured against.
   */
  static boolean runnable(DrafterSpec drafter, ModelBundle bundle) {
    return !(drafter instanceof DrafterSpec.None)
        && BundleDrafters.missingModel(drafter, bundle).isEmpty();
  }

  /**
   * Evaluates every config on every prompt, loading {@code bundle} on {@code device} once per
   * config and closing it before the next; see {@link #run(ModelBundle, Device, EngineOptions,
   * List, List, SpeedBenchmark.Progress, Cancellation)}, on an engine with {@link
   * EngineOptions#defaults()} and with a cancellation nobody cancels.
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(
        bundle,
        device,
        EngineOptions.defaults(),
        configs,
        prompts,
        progress,
        Cancellation.create());
  }

  /**
   * {@link #run(ModelBundle, Device, EngineOptions, List, List, SpeedBenchmark.Progress,
   * Cancellation)} on an engine with {@link EngineOptions#defaults()}.
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, EngineOptions.defaults(), configs, prompts, progress, cancellation);
  }

  /**
   * {@link #run(ModelBundle, Device, EngineOptions, List, List, SpeedBenchmark.Progress,
   * Cancellation)} with a cancellation nobody cancels.
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, engineOptions, configs, prompts, progress, Cancellation.create());
  }

  /**
   * Evaluates every config on every prompt, loading {@code bundle} on {@code device} once per
   * config and closing it before the next, with the models on an engine with {@code engineOptions}
   * (threads, spinning). Before a config decodes anything, every prompt is encoded and checked
   * against the context.
   *
   * <p>When {@code cancellation} is cancelled, the run stops at the next step; the report then
   * holds the prompts completed so far (a config without any is left out) and says it is not
   * {@linkplain EvalReport#complete() complete}.
   *
   * @param configs the configs, all with the same most new tokens
   * @param progress told before each prompt of each config
   * @throws IllegalArgumentException when there are no configs or prompts, the configs disagree on
   *     the most new tokens, or prompts do not fit (the message names the config, each offending
   *     prompt with its length, and the way out)
   * @throws IllegalStateException when this process's ONNX Runtime environment already has a thread
   *     pool with other options
   * @throws BundleException when a config needs a model the bundle lacks
   * @throws IOException when a model file cannot be read
   * @throws ModelContractException when a model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public EvalReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    Objects.requireNonNull(cancellation, "cancellation");
    return run(
        bundle.name(),
        configs,
        prompts,
        config ->
            EvalSession.of(
                BundleDecoder.open(bundle, device, engineOptions, config.options(), cancellation)),
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
    boolean complete = true;
    for (BenchConfig config : configs) {
      List<PromptRun> runs = new ArrayList<>(prompts.size());
      try (EvalSession session = opener.open(config)) {
        complete = evaluate(session, config, prompts, progress, runs);
      }
      if (!runs.isEmpty()) {
        results.add(ConfigEval.of(config, runs, targetCost));
      }
      if (!complete) {
        break;
      }
    }
    return new EvalReport(
        bundleName, prompts.size(), maxNewTokens, warmup, results, complete, targetCost);
  }

  /**
   * Adds one run per prompt to {@code runs}, in order.
   *
   * @return true when every prompt was decoded, false when a run was interrupted (the interrupted
   *     prompt is not added)
   */
  private boolean evaluate(
      EvalSession session,
      BenchConfig config,
      List<BenchPrompt> prompts,
      SpeedBenchmark.Progress progress,
      List<PromptRun> runs) {
    long seed = config.options().seed();
    prompts = config.promptsOf(prompts);
    int maxNewTokens = config.options().maxNewTokens();
    int capacity = session.capacity();
    List<int[]> full = PromptLengths.encodeAll(prompts, session::promptTokens);
    List<int[]> fitted = fitAll(config, prompts, full, capacity, maxNewTokens);
    for (int p = 0; p < prompts.size(); p++) {
      BenchPrompt prompt = prompts.get(p);
      progress.onPrompt(config, p + 1, prompts.size());
      int[] ids = fitted.get(p);
      if (p == 0) {
        for (int w = 0; w < warmup; w++) {
          if (interrupted(session.generate(ids, seed, false, StepListener.NONE))
              || interrupted(session.generate(ids, seed, true, StepListener.NONE))) {
            return false;
          }
        }
      }
      List<StepRecord> steps = new ArrayList<>();
      DecodeResult speculative = session.generate(ids, seed, false, steps::add);
      if (interrupted(speculative)) {
        return false;
      }
      DecodeResult plain = session.generate(ids, seed, true, StepListener.NONE);
      if (interrupted(plain)) {
        return false;
      }
      runs.add(
          new PromptRun(
              prompt, ids.length, ids.length < full.get(p).length, speculative, plain, steps));
    }
    return true;
  }

  private static boolean interrupted(DecodeResult result) {
    return result.stopReason() == StopReason.INTERRUPTED;
  }

  /**
   * Every prompt as decoded (see {@link #fit}), checked all at once: prompts that do not fit are
   * listed together, before anything is decoded.
   */
  private List<int[]> fitAll(
      BenchConfig config,
      List<BenchPrompt> prompts,
      List<int[]> full,
      int capacity,
      int maxNewTokens) {
    if (!truncatePrompts) {
      PromptLengths.requireAllFit(
          config.name(),
          prompts,
          full,
          capacity,
          ", or let the harness cut prompts from the left (--truncate-prompts)");
      return full;
    }
    if (capacity - maxNewTokens < 2) {
      throw new IllegalArgumentException(
          "config "
              + config.name()
              + ": max new tokens "
              + maxNewTokens
              + " leave no room for a prompt in the context of "
              + capacity
              + " tokens: ask for at most "
              + (capacity - 2));
    }
    List<int[]> fitted = new ArrayList<>(full.size());
    for (int[] ids : full) {
      fitted.add(fit(ids, capacity, maxNewTokens));
    }
    return fitted;
  }

  /**
   * A prompt cut to fit when it leaves less room than {@code maxNewTokens}: its first token (BOS)
   * and its last tokens, so that {@code maxNewTokens} fit; otherwise the prompt as it is.
   */
  private static int[] fit(int[] ids, int capacity, int maxNewTokens) {
    if (ids.length + maxNewTokens <= capacity) {
      return ids;
    }
    int keep = capacity - maxNewTokens;
    int[] cut = new int[keep];
    cut[0] = ids[0];
    System.arraycopy(ids, ids.length - (keep - 1), cut, 1, keep - 1);
    return cut;
  }
}
