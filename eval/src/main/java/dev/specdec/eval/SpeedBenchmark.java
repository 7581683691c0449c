package dev.specdec.eval;

import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.DecodeResult;
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
   * Measures every config on every prompt, loading {@code bundle} on {@code device} once per config
   * (and closing it before the next).
   *
   * @param configs the configs, all with the same {@link DecodeOptions#maxNewTokens()}
   * @throws IllegalArgumentException when {@code configs} or {@code prompts} is empty, the configs
   *     disagree on the most new tokens, or a prompt does not fit the target's context (the message
   *     names the config and prompt)
   * @throws BundleException when a config needs a draft model the bundle lacks
   * @throws IOException when a model file cannot be read
   * @throws ModelContractException when a model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return run(bundle, device, EngineOptions.defaults(), configs, prompts, progress);
  }

  /**
   * {@link #run(ModelBundle, Device, List, List, Progress)} with the models on an engine with
   * {@code engineOptions} (threads, spinning).
   */
  public BenchReport run(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      List<BenchConfig> configs,
      List<BenchPrompt> prompts,
      Progress progress)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    Objects.requireNonNull(progress, "progress");
    if (configs.isEmpty()) {
      throw new IllegalArgumentException("no configs to measure");
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to decode");
    }
    int maxNewTokens = BenchConfig.sharedMaxNewTokens(configs);
    List<BenchResult> results = new ArrayList<>();
    for (BenchConfig config : configs) {
      try (BundleDecoder decoder =
          BundleDecoder.open(bundle, device, engineOptions, config.options())) {
        results.add(measure(decoder, config, prompts, progress));
      }
    }
    return new BenchReport(bundle.name(), prompts.size(), repeats, warmup, maxNewTokens, results);
  }

  private BenchResult measure(
      BundleDecoder decoder, BenchConfig config, List<BenchPrompt> prompts, Progress progress) {
    long seed = config.options().seed();
    List<Comparison> samples = new ArrayList<>(prompts.size() * repeats);
    for (int p = 0; p < prompts.size(); p++) {
      BenchPrompt prompt = prompts.get(p);
      progress.onPrompt(config, p + 1, prompts.size());
      try {
        int[] ids = decoder.promptTokens(prompt.text());
        for (int w = 0; w < warmup; w++) {
          decoder.generate(ids, seed, false);
          decoder.generate(ids, seed, true);
        }
        for (int round = 0; round < repeats; round++) {
          DecodeResult speculative = decoder.generate(ids, seed + round, false);
          DecodeResult plain = decoder.generate(ids, seed + round, true);
          samples.add(new Comparison(speculative, plain));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "config " + config.name() + ", prompt " + prompt.id() + ": " + e.getMessage(), e);
      }
    }
    return BenchResult.of(config, samples);
  }
}
