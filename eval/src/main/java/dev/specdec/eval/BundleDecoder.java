package dev.specdec.eval;

import dev.specdec.drafting.Drafter;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.runtime.TextStream;
import dev.specdec.verification.BudgetPolicy;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import dev.specdec.verification.SpeculativeDecoder;
import dev.specdec.verification.StepListener;
import dev.specdec.verification.StopReason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A model bundle loaded for decoding text prompts: its tokenizer, its target and, with the draft
 * and lookup+draft drafters, its draft model, wired into a {@link SpeculativeDecoder} with fixed
 * {@link DecodeOptions}.
 *
 * <p>Each prompt is encoded without special tokens and gets the target's BOS in front; generation
 * stops at the target's EOS. Runs are reproducible: every run reseeds the decoder and the draft
 * model's generator from the options' seed.
 *
 * <p>Owns everything it loads (an {@link Engine}, the tokenizer, the models, the drafter): {@link
 * #close()} releases all of it. Not thread-safe.
 */
public final class BundleDecoder implements AutoCloseable {
  // Decorrelates the draft model's samples from the decoder's, which use the seed itself.
  private static final long DRAFTER_SEED_MIX = 0x9E3779B97F4A7C15L;

  private final ModelBundle bundle;
  private final DecodeOptions options;
  private final Engine engine;
  private final TextTokenizer tokenizer;
  private final CausalLm target;
  private final Drafter drafter;
  private final Random drafterRandom;
  private final SpeculativeDecoder decoder;
  private SpeculativeDecoder plainDecoder; // over the same target; built on first use
  private boolean costRefreshed; // the drifted target cost was saved once
  private boolean closed;

  /** How far observed verify times may drift from the cached cost before it is rescaled. */
  static final double COST_DRIFT_TOLERANCE = 0.25;

  private BundleDecoder(
      ModelBundle bundle,
      DecodeOptions options,
      Engine engine,
      TextTokenizer tokenizer,
      CausalLm target,
      Drafter drafter,
      Random drafterRandom,
      BudgetPolicy budget) {
    this.bundle = bundle;
    this.options = options;
    this.engine = engine;
    this.tokenizer = tokenizer;
    this.target = target;
    this.drafter = drafter;
    this.drafterRandom = drafterRandom;
    this.decoder =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .rule(options.rule())
            .sampling(options.sampling())
            .draftTokens(options.draftTokens())
            .budget(budget)
            .build();
  }

  /**
   * Loads the bundle in {@code dir}; see {@link #open(ModelBundle, Device, DecodeOptions)}.
   *
   * @throws BundleException when the bundle is missing or malformed
   */
  public static BundleDecoder open(Path dir, Device device, DecodeOptions options)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(ModelBundle.load(dir), device, options);
  }

  /**
   * Loads the tokenizer, the target and the models the drafter needs (draft model, Medusa heads,
   * MTP module) of {@code bundle} on {@code device}, and builds the drafter: none, the draft model,
   * prompt lookup, or prompt lookup falling back to the draft model when the longest match is
   * shorter than ngram-min tokens.
   *
   * @throws BundleException when the draft or lookup+draft drafter is asked of a bundle without a
   *     draft model, or the tokenizer produces ids the target does not know
   * @throws IOException when a file cannot be read or parsed
   * @throws ModelContractException when a model breaks the model contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   * @throws IllegalArgumentException when the draft model's vocabulary differs from the target's
   */
  public static BundleDecoder open(ModelBundle bundle, Device device, DecodeOptions options)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(bundle, device, EngineOptions.defaults(), options, Cancellation.create());
  }

  /**
   * {@link #open(ModelBundle, Device, DecodeOptions)} on an engine with {@code engineOptions}
   * (threads, spinning).
   *
   * @throws IllegalStateException when this process's ONNX Runtime environment already has a thread
   *     pool with other options (see {@link Engine#create(EngineOptions)})
   */
  public static BundleDecoder open(
      ModelBundle bundle, Device device, EngineOptions engineOptions, DecodeOptions options)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(bundle, device, engineOptions, options, Cancellation.create());
  }

  /**
   * Loads {@code bundle} as {@link #open(ModelBundle, Device, DecodeOptions)} does, with models
   * that stop when {@code cancellation} is cancelled: a run in progress then ends at its next step
   * with the stop reason {@link StopReason#INTERRUPTED}, and every later run ends at once the same
   * way.
   */
  public static BundleDecoder open(
      ModelBundle bundle, Device device, DecodeOptions options, Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(bundle, device, EngineOptions.defaults(), options, cancellation);
  }

  /**
   * Loads {@code bundle} as {@link #open(ModelBundle, Device, DecodeOptions, Cancellation)} does,
   * on an engine with {@code engineOptions} (threads, spinning).
   *
   * @throws IllegalStateException when this process's ONNX Runtime environment already has a thread
   *     pool with other options (see {@link Engine#create(EngineOptions, Cancellation)})
   */
  public static BundleDecoder open(
      ModelBundle bundle,
      Device device,
      EngineOptions engineOptions,
      DecodeOptions options,
      Cancellation cancellation)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(cancellation, "cancellation");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    Objects.requireNonNull(options, "options");
    Optional<String> missing = BundleDrafters.missingModel(options.drafter(), bundle);
    if (missing.isPresent()) {
      throw new BundleException(
          "bundle '"
              + bundle.name()
              + "' in "
              + bundle.root()
              + " has no "
              + missing.get()
              + ", which drafter "
              + options.drafter().name()
              + " needs: "
              + switch (missing.get()) {
                case "draft model" ->
                    "use drafter none or lookup, or add \"draft\" to its " + ModelBundle.MANIFEST;
                case "MTP module" ->
                    "use another drafter, or export one (tools/train/export.py --mtp) and add"
                        + " \"mtp\" to its "
                        + ModelBundle.MANIFEST;
                default -> "use another drafter, or add \"medusa\" to its " + ModelBundle.MANIFEST;
              });
    }
    Engine engine = Engine.create(engineOptions, cancellation);
    TextTokenizer tokenizer = null;
    Drafter drafter = null;
    boolean opened = false;
    try {
      tokenizer = engine.loadTokenizer(bundle.tokenizer());
      CausalLm target = engine.loadCausalLm(bundle.target(), device);
      ModelInfo info = target.info();
      if (tokenizer.vocabSize() > info.vocabSize()) {
        throw new BundleException(
            "bundle '"
                + bundle.name()
                + "': the tokenizer has "
                + tokenizer.vocabSize()
                + " ids but the target's vocabulary has "
                + info.vocabSize());
      }
      Random drafterRandom = new Random(0);
      BundleDrafters.Built built =
          BundleDrafters.build(engine, bundle, device, options, info, drafterRandom);
      drafter = built.drafter();
      // Before the pass-cost probe, which would run a target the drafter cannot serve.
      built.drafter().modelInfo().ifPresent(d -> ModelInfo.requireSameVocabulary(info, d));
      BudgetPolicy budget = BudgetPolicy.fixed();
      if (options.budget() == BudgetMode.AUTO) {
        // Probing before the first generation leaves both caches empty, as reset() would.
        String setting = engineOptions.costSetting(device);
        PassCostCache cache = PassCostCache.user();
        PassCost targetCost = cache.costOf(target, bundle.target(), setting, false);
        budget =
            built.chainDraft().isPresent()
                ? BudgetPolicy.auto(
                    targetCost,
                    cache.costOf(
                        built.chainDraft().get(), bundle.draft().orElseThrow(), setting, false))
                : BudgetPolicy.auto(targetCost);
      }
      BundleDecoder decoder =
          new BundleDecoder(
              bundle, options, engine, tokenizer, target, drafter, drafterRandom, budget);
      opened = true;
      return decoder;
    } finally {
      if (!opened) {
        if (drafter != null) {
          drafter.close();
        }
        if (tokenizer != null) {
          tokenizer.close();
        }
        engine.close();
      }
    }
  }

  /** The loaded bundle. */
  public ModelBundle bundle() {
    return bundle;
  }

  /** The settings every run uses. */
  public DecodeOptions options() {
    return options;
  }

  /** The drafter's {@link Drafter#name()}, which equals {@code options().drafter().name()}. */
  String drafterName() {
    return drafter.name();
  }

  /** The most tokens (prompt and new ones) the target's cache holds. */
  int capacity() {
    return target.capacity();
  }

  /** What the target declared: context length, BOS, EOS, vocabulary. */
  public ModelInfo targetInfo() {
    return target.info();
  }

  /**
   * The prompt's token ids as the decoder sees them: the target's BOS, then {@code prompt} encoded
   * without special tokens.
   *
   * @throws IllegalArgumentException when the prompt is empty
   */
  public int[] promptTokens(String prompt) {
    requireOpen();
    Objects.requireNonNull(prompt, "prompt");
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("the prompt is empty: give some text to continue");
    }
    int[] text = tokenizer.encode(prompt);
    int[] ids = new int[text.length + 1];
    ids[0] = target.info().bosTokenId();
    System.arraycopy(text, 0, ids, 1, text.length);
    return ids;
  }

  /**
   * Decodes {@code prompt}, passing the new text to {@code onText} as it becomes complete. When the
   * cancellation this decoder was opened with is cancelled, decoding stops at the next step: the
   * report holds what was generated, with the stop reason {@code interrupted}.
   *
   * @throws IllegalArgumentException when the prompt is empty or does not fit the context
   * @throws dev.specdec.model.NumericalException when a model produces NaN or infinite logits
   * @throws dev.specdec.model.InferenceException when ONNX Runtime fails
   */
  public DecodeReport decode(String prompt, Consumer<String> onText) {
    return run(prompt, false, onText);
  }

  /**
   * Decodes {@code prompt} as {@link #decode} does, then again by plain decoding of the target, and
   * reports both (see {@link Comparison}). Only the speculative run's text goes to {@code onText},
   * after both runs: streaming it to a terminal during the timed run cost that run about 5 % on the
   * shipped bundle, a cost the silent baseline did not pay. An interrupted run is reported without
   * the comparison.
   */
  public DecodeReport compare(String prompt, Consumer<String> onText) {
    return run(prompt, true, onText);
  }

  private DecodeReport run(String prompt, boolean compare, Consumer<String> onText) {
    Objects.requireNonNull(onText, "onText");
    int[] ids = promptTokens(prompt);
    GenerationRequest request =
        GenerationRequest.of(options.maxNewTokens(), options.seed(), target.info().eosTokenId());
    drafterRandom.setSeed(options.seed() ^ DRAFTER_SEED_MIX);
    TextStream stream = new TextStream(tokenizer);
    IntConsumer onToken = token -> emit(onText, stream.accept(token));
    DecodeResult result;
    Optional<Comparison> comparison;
    if (compare) {
      // Both timed runs do the same work per token (detokenizing, here into memory); the text is
      // passed on after them, so that writing it out is in neither run's time.
      StringBuilder text = new StringBuilder();
      TextStream buffered = new TextStream(tokenizer);
      TextStream discarded = new TextStream(tokenizer);
      Comparison c =
          Comparison.run(
              target,
              decoder,
              ids,
              request,
              token -> text.append(buffered.accept(token)),
              token -> discarded.accept(token));
      text.append(buffered.finish());
      emit(onText, text.toString());
      result = c.speculative();
      // An interrupted run has nothing to compare: the baseline was refused or cut short too.
      boolean interrupted =
          result.stopReason() == StopReason.INTERRUPTED
              || c.baseline().stopReason() == StopReason.INTERRUPTED;
      comparison = interrupted ? Optional.empty() : Optional.of(c);
    } else {
      result = decoder.generate(ids, request, onToken);
      comparison = Optional.empty();
    }
    if (!compare) {
      emit(onText, stream.finish());
    }
    refreshCostOnDrift();
    return new DecodeReport(
        bundle.name(),
        tokenizer.decode(result.tokens()),
        ids,
        result,
        options,
        decoder.rule().name(),
        comparison);
  }

  /**
   * One silent run on {@code promptTokens} with {@code seed}: by this decoder, or with {@code
   * plain} by plain decoding of the same target with the same sampling and acceptance rule (as
   * {@link Comparison} does). For {@link SpeedBenchmark}, which times both over one loaded target.
   */
  DecodeResult generate(int[] promptTokens, long seed, boolean plain) {
    return generate(promptTokens, seed, plain, StepListener.NONE);
  }

  /**
   * {@link #generate(int[], long, boolean)} telling {@code onStep} about every step: for the
   * evaluation harness ({@link AcceptanceEval}).
   */
  DecodeResult generate(int[] promptTokens, long seed, boolean plain, StepListener onStep) {
    requireOpen();
    GenerationRequest request =
        GenerationRequest.of(options.maxNewTokens(), seed, target.info().eosTokenId());
    if (plain) {
      if (plainDecoder == null) {
        plainDecoder =
            SpeculativeDecoder.builder(target)
                .drafter(Drafter.none())
                .rule(decoder.rule())
                .sampling(decoder.sampling())
                .draftTokens(0)
                .build();
      }
      return plainDecoder.generate(promptTokens, request, token -> {}, onStep);
    }
    drafterRandom.setSeed(seed ^ DRAFTER_SEED_MIX);
    DecodeResult result = decoder.generate(promptTokens, request, token -> {}, onStep);
    refreshCostOnDrift();
    return result;
  }

  /**
   * With adaptive budgets: once the observed verify times are off the cached target cost by more
   * than {@link #COST_DRIFT_TOLERANCE}, saves the cost rescaled by the observed ratio, so the next
   * process starts from what this machine does now (this decoder already corrects for it).
   */
  private void refreshCostOnDrift() {
    if (costRefreshed || !(decoder.budget() instanceof BudgetPolicy.Auto auto)) {
      return;
    }
    double ratio = decoder.observedCostRatio();
    if (Math.abs(ratio - 1) > COST_DRIFT_TOLERANCE) {
      PassCostCache.user().trySave(auto.target().scaled(ratio));
      costRefreshed = true;
    }
  }

  /** How this decoder sizes each step's draft, with the costs it uses. */
  public BudgetPolicy budget() {
    return decoder.budget();
  }

  private static void emit(Consumer<String> onText, String text) {
    if (!text.isEmpty()) {
      onText.accept(text);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("bundle decoder is closed");
    }
  }

  /** Closes the drafter (and its draft model), the tokenizer, the target and the engine. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (engine;
        tokenizer;
        target;
        drafter) {
      // try-with-resources closes them in reverse order: drafter, target, tokenizer, engine
    }
  }
}
