package dev.specdec.eval;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StopReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * End-to-end speed of speculative decoding against plain decoding of the same target, measured over
 * a prompt set.
 *
 * <p>For each config, one {@link BundleDecoder} is loaded; its plain runs decode the same loaded
 * target with no drafter and the same sampling. For each prompt, each decoder first runs {@code
 * warmup} untimed times; then {@code repeats} rounds alternate a speculative run and a plain run (A
 * B A B ...), both with seed {@code options.seed() + round}. Each round is one sample: its speedup
 * is the speculative run's tokens/s over the plain run's, where tokens/s counts the new tokens over
 * prefill plus decode time. See {@link BenchResult} for the summaries.
 *
 * <p>Not thread-safe; runs on the calling thread.
 */
public final class SpeedBenchmark {

  /** Told before each prompt of each config is decoded. */
  @FunctionalInterface
  public interface Progress {
    /**
     * Config {@code config} starts on prompt {@code index} (1-based) of {@code count}.
     *
     * @param config the config being measured
     * @param index the prompt's position, from 1
     * @param count the number of prompts
     */
    void onPrompt(BenchConfig config, int index, int count);
  }

  private final int repeats;
  private final int warmup;

  /**
   * A benchmark of {@code repeats} measured rounds and {@code warmup} warm-up runs per prompt.
   *
   * @throws IllegalArgumentException when {@code repeats < 1} or {@code warmup < 0}
   */
  public SpeedBenchmark(int repeats, int warmup) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, was " + repeats);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
    }
    this.repeats = repeats;
    this.warmup = warmup;
  }

  /**
   * Measures every config on every prompt; see {@link #run(ModelBundle, Device, EngineOptions,
   * List, List, Progress, Cancellation)}, on an engine with {@link EngineOptions#defaults()} and
   * with a cancellation nobody cancels.
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress)
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
   * {@link #run(ModelBundle, Device, EngineOptions, List, List, Progress, Cancellation)} on an
   * engine with {@link EngineOptions#defaults()}.
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, EngineOptions.defaults(), configs, prompts, progress, cancellation);
  }

  /**
   * {@link #run(ModelBundle, Device, EngineOptions, List, List, Progress, Cancellation)} with a
   * cancellation nobody cancels.
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, engineOptions, configs, prompts, progress, Cancellation.create());
  }

  /**
   * Measures every config on every prompt, loading {@code bundle} on {@code device} once per config
   * (and closing it before the next), with the models on an engine with {@code engineOptions}
   * (threads, spinning). Before a config decodes anything, every prompt is encoded and checked
   * against the context.
   *
   * <p>When {@code cancellation} is cancelled, the run stops at the next step; the report then
   * holds the rounds completed so far (a config without any is left out) and says it is not
   * {@linkplain BenchReport#complete() complete}.
   *
   * @param configs the configs, all with the same {@link DecodeOptions#maxNewTokens()}
   * @throws IllegalArgumentException when {@code configs} or {@code prompts} is empty, the configs
   *     disagree on the most new tokens, or prompts do not fit the target's context (the message
   *     names the config and each offending prompt with its length)
   * @throws IllegalStateException when this process's ONNX Runtime environment already has a thread
   *     pool with other options
   * @throws BundleException when a config needs a draft model the bundle lacks
   * @throws IOException when a model file cannot be read
   * @throws ModelContractException when a model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(cancellation, "cancellation");
    if (configs.isEmpty()) {
      throw new IllegalArgumentException("no configs to measure");
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to decode");
    }
    int maxNewTokens = BenchConfig.sharedMaxNewTokens(configs);
    List<BenchResult> results = new ArrayList<>();
    boolean complete = true;
    for (BenchConfig config : configs) {
      List<Comparison> samples = new ArrayList<>(prompts.size() * repeats);
      try (BundleDecoder decoder =
          BundleDecoder.open(bundle, device, engineOptions, config.options(), cancellation)) {
        complete = measure(decoder, config, prompts, progress, samples);
      }
      if (!samples.isEmpty()) {
        results.add(BenchResult.of(config, samples));
      }
      if (!complete) {
        break;
      }
    }
    return new BenchReport(
        bundle.name(), prompts.size(), repeats, warmup, maxNewTokens, results, complete);
  }

  /**
   * Adds one sample per prompt and round to {@code samples}.
   *
   * @return true when every round ran, false when a run was interrupted (its round is not added)
   */
  private boolean measure(
      BundleDecoder decoder,
      BenchConfig config,
      List<BenchPrompt> prompts,
      Progress progress,
      List<Comparison> samples) {
    long seed = config.options().seed();
    prompts = config.promptsOf(prompts);
    List<int[]> encoded = PromptLengths.encodeAll(prompts, decoder::promptTokens);
    PromptLengths.requireAllFit(config.name(), prompts, encoded, decoder.capacity(), "");
    for (int p = 0; p < prompts.size(); p++) {
      progress.onPrompt(config, p + 1, prompts.size());
      int[] ids = encoded.get(p);
      for (int w = 0; w < warmup; w++) {
        if (interrupted(decoder.generate(ids, seed, false))
            || interrupted(decoder.generate(ids, seed, true))) {
          return false;
        }
      }
      for (int round = 0; round < repeats; round++) {
        DecodeResult speculative = decoder.generate(ids, seed + round, false);
        if (interrupted(speculative)) {
          return false;
        }
        DecodeResult plain = decoder.generate(ids, seed + round, true);
        if (interrupted(plain)) {
          return false;
        }
        samples.add(new Comparison(speculative, plain));
      }
    }
    return true;
  }

  private static boolean interrupted(DecodeResult result) {
    return result.stopReason() == StopReason.INTERRUPTED;
  }
}
