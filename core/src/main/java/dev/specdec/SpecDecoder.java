package dev.specdec;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.LookupFirstDrafter;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.PromptLookupDrafter;
import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.BudgetPolicy;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import dev.specdec.verification.SpeculativeDecoder;
import dev.specdec.verification.StepListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Speculative decoding of text with a model bundle: the one entry point for embedding specdec.
 *
 * <pre>{@code
 * try (SpecDecoder decoder = SpecDecoder.open(Path.of("models/specdec-java"))) {
 *   Generation g = decoder.generate("public final class Range {",
 *       GenerateOptions.defaults().maxNewTokens(64), System.out::print);
 *   System.out.println(g.stats().meanAcceptedLength());
 * }
 * }</pre>
 *
 * <p>{@link #open} loads the bundle's tokenizer and every model it has (target, and whichever of
 * draft model, MTP module and Medusa heads it ships) once; each {@link #generate} call then picks
 * its drafter from its {@link GenerateOptions}. A prompt is encoded without special tokens and gets
 * the target's BOS in front; generation ends at the target's EOS (not included), at a stop string,
 * after {@code maxNewTokens}, or when the context is full. Text is streamed as soon as it is
 * complete (never half a UTF-8 character, never any part of a stop string).
 *
 * <p><b>Thread-safe.</b> Any number of threads may call {@code generate} at once: the ONNX Runtime
 * sessions, that is the weights, are shared, and each call runs on its own instances of the models
 * (KV caches and pass buffers), taken from a pool and given back when the call returns, so caches
 * are allocated only when more calls run at once than ever before. Each extra concurrent generation
 * costs its caches, not the weights (README, "Many generations on one loaded model"). A call's
 * output depends only on its prompt and options: concurrent calls give exactly what sequential
 * ones give.
 *
 * <p>Owns everything it loads; {@link #close()} waits for running calls and releases all of it.
 */
public final class SpecDecoder implements AutoCloseable {
  // Decorrelates the draft model's samples from the decoder's, which use the seed itself; the
  // same mix as the CLI's, so that a seed gives the output `specdec decode --seed` gives.
  private static final long DRAFTER_SEED_MIX = 0x9E3779B97F4A7C15L;

  private final ModelBundle bundle;
  private final Engine engine;
  private final TextTokenizer tokenizer;
  private final TextTokenizer tokenizerView;
  private final ModelInfo targetInfo;
  private final InstancePool<CausalLm> targets;
  private final InstancePool<CausalLm> drafts; // null without a draft model
  private final InstancePool<MtpModule> mtps; // null without an MTP module
  private final InstancePool<MedusaHeads> medusas; // null without Medusa heads

  private final Object lock = new Object();
  private int running; // generate calls in progress; guarded by lock
  private boolean closed; // guarded by lock

  private final String costSetting; // device and threads, for the pass-cost cache
  private final Object costLock = new Object();
  private PassCost targetCost; // probed or read on the first AUTO generation; guarded by costLock
  private PassCost draftCost; // likewise, for draft-model chains

  private SpecDecoder(Loaded loaded, String costSetting) {
    this.costSetting = costSetting;
    this.bundle = loaded.bundle;
    this.engine = loaded.engine;
    this.tokenizer = loaded.tokenizer;
    this.tokenizerView = new TokenizerView(loaded.tokenizer);
    this.targetInfo = loaded.targetInfo;
    this.targets = loaded.targets;
    this.drafts = loaded.drafts;
    this.mtps = loaded.mtps;
    this.medusas = loaded.medusas;
  }

  /**
   * Opens the bundle in {@code bundleDir} on the CPU; see {@link #open(Path, Device)}.
   *
   * @throws BundleException when the bundle is missing or malformed, or its parts do not fit
   * @throws IOException when a file cannot be read or parsed
   * @throws ModelContractException when a model breaks the model contract
   */
  public static SpecDecoder open(Path bundleDir)
      throws BundleException, IOException, ModelContractException {
    try {
      return open(bundleDir, Device.cpu());
    } catch (DeviceUnavailableException e) {
      throw new AssertionError("ONNX Runtime always registers the CPU execution provider", e);
    }
  }

  /**
   * Opens the bundle in {@code bundleDir} (a directory with a {@code specdec.json}) on {@code
   * device}: loads its tokenizer and each of its models once, validates them and checks that they
   * fit together (vocabularies, the heads' target).
   *
   * @throws BundleException when the bundle is missing or malformed, the tokenizer produces ids the
   *     target does not know, or a draft model or Medusa heads do not fit the target
   * @throws IOException when a file cannot be read or parsed
   * @throws ModelContractException when a model breaks the model contract, or an MTP module belongs
   *     to another target
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device} (the message says how to get it)
   * @throws IllegalStateException when ONNX Runtime's process-wide environment was created with
   *     other threading options
   */
  public static SpecDecoder open(Path bundleDir, Device device)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return open(bundleDir, device, EngineOptions.defaults());
  }

  /**
   * {@link #open(Path, Device)} with ONNX Runtime's process-wide thread pool set up by {@code
   * engineOptions} (intra-op threads, spinning; see docs/performance.md). The pool is fixed by the
   * first engine of the process: every later open must ask for the same options.
   *
   * @throws BundleException as {@link #open(Path, Device)}
   * @throws IOException as {@link #open(Path, Device)}
   * @throws ModelContractException as {@link #open(Path, Device)}
   * @throws DeviceUnavailableException as {@link #open(Path, Device)}
   * @throws IllegalStateException as {@link #open(Path, Device)}
   */
  public static SpecDecoder open(Path bundleDir, Device device, EngineOptions engineOptions)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundleDir, "bundleDir");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(engineOptions, "engineOptions");
    ModelBundle bundle = ModelBundle.load(bundleDir);
    Loaded loaded = new Loaded(bundle, Engine.create(engineOptions));
    boolean opened = false;
    try {
      loaded.load(device);
      SpecDecoder decoder = new SpecDecoder(loaded, engineOptions.costSetting(device));
      opened = true;
      return decoder;
    } finally {
      if (!opened) {
        loaded.close();
      }
    }
  }

  /**
   * Generates a continuation of {@code prompt}, passing new text to {@code onText} as soon as it is
   * complete; the pieces concatenated equal {@link Generation#text()}. {@code onText} runs on the
   * calling thread, inside the decode loop: keep it short.
   *
   * @param prompt the text to continue, encoded without special tokens after the target's BOS; may
   *     be empty (BOS alone)
   * @throws IllegalArgumentException when the options ask for a model the bundle does not have, for
   *     greedy acceptance with a non-zero temperature, or the prompt leaves no room in the context
   * @throws IllegalStateException when this decoder is closed
   * @throws dev.specdec.model.NumericalException when a model produces NaN or infinite logits
   * @throws dev.specdec.model.InferenceException when ONNX Runtime fails
   */
  public Generation generate(String prompt, GenerateOptions options, Consumer<String> onText) {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(onText, "onText");
    Settings settings = options.resolve(bundle.generation(), drafts != null);
    requireModelsFor(settings.drafter());
    enter();
    try {
      int[] ids = promptTokens(prompt);
      RandomGenerator drafterRandom = new Random(settings.seed() ^ DRAFTER_SEED_MIX);
      try (CausalLm target = Leases.causalLm(targets);
          Drafter drafter = drafter(settings, drafterRandom)) {
        SpeculativeDecoder decoder =
            SpeculativeDecoder.builder(target)
                .drafter(drafter)
                .rule(settings.rule())
                .sampling(settings.sampling())
                .draftTokens(settings.drafter().draftTokens())
                .budget(budget(settings, target))
                .build();
        StreamedText text = new StreamedText(tokenizer, settings.stopStrings(), onText);
        DecodeResult result =
            decoder.generateWhile(
                ids,
                GenerationRequest.of(
                    settings.maxNewTokens(), settings.seed(), targetInfo.eosTokenId()),
                text,
                StepListener.NONE);
        return new Generation(text.finish(), result.tokens(), result.stopReason(), result.stats());
      }
    } finally {
      exit();
    }
  }

  /**
   * The budget policy of one generation: fixed, or adaptive over the target's (and, for draft-model
   * chains, the draft's) pass cost, measured on the first adaptive generation (a probe on {@code
   * target}, which leaves its cache empty, or the user's cache) and kept for the decoder's life.
   */
  private BudgetPolicy budget(Settings settings, CausalLm target) {
    if (settings.budget() == Budget.FIXED || settings.drafter() instanceof DrafterSpec.None) {
      return BudgetPolicy.fixed();
    }
    boolean chain =
        settings.drafter() instanceof DrafterSpec.DraftModel
            || settings.drafter() instanceof DrafterSpec.LookupThenDraft;
    synchronized (costLock) {
      PassCostCache cache = PassCostCache.user();
      try {
        if (targetCost == null) {
          targetCost = cache.costOf(target, bundle.target(), costSetting, false);
        }
        if (chain && draftCost == null) {
          try (CausalLm draft = Leases.causalLm(drafts)) {
            draftCost = cache.costOf(draft, bundle.draft().orElseThrow(), costSetting, false);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a model file for its pass-cost key", e);
      }
      return chain ? BudgetPolicy.auto(targetCost, draftCost) : BudgetPolicy.auto(targetCost);
    }
  }

  /** {@link #generate(String, GenerateOptions, Consumer)} without streaming. */
  public Generation generate(String prompt, GenerateOptions options) {
    return generate(prompt, options, text -> {});
  }

  /**
   * The bundle's tokenizer, thread-safe. The decoder owns it: closing the returned object does
   * nothing, and it stops working when the decoder closes.
   */
  public TextTokenizer tokenizer() {
    return tokenizerView;
  }

  /** BOS, then {@code prompt} encoded without special tokens. */
  private int[] promptTokens(String prompt) {
    int[] text = tokenizer.encode(prompt);
    int[] ids = new int[text.length + 1];
    ids[0] = targetInfo.bosTokenId();
    System.arraycopy(text, 0, ids, 1, text.length);
    return ids;
  }

  private void requireModelsFor(DrafterSpec spec) {
    String missing =
        switch (spec) {
          case DrafterSpec.None n -> null;
          case DrafterSpec.Lookup l -> null;
          case DrafterSpec.DraftModel d -> drafts == null ? "draft model" : null;
          case DrafterSpec.DraftTree d -> drafts == null ? "draft model" : null;
          case DrafterSpec.LookupThenDraft d -> drafts == null ? "draft model" : null;
          case DrafterSpec.Mtp m -> mtps == null ? "MTP module" : null;
          case DrafterSpec.Medusa m -> medusas == null ? "Medusa heads" : null;
        };
    if (missing != null) {
      throw new IllegalArgumentException(
          "bundle '"
              + bundle.name()
              + "' in "
              + bundle.root()
              + " has no "
              + missing
              + ", which drafter "
              + spec.name()
              + " needs; it has: "
              + available());
    }
  }

  /** The drafters this bundle can run, for messages. */
  private String available() {
    List<String> names = new ArrayList<>(List.of("none", "lookup"));
    if (drafts != null) {
      names.add("draft");
      names.add("lookup+draft");
    }
    if (mtps != null) {
      names.add("mtp");
    }
    if (medusas != null) {
      names.add("medusa");
    }
    return String.join(", ", names);
  }

  /**
   * The drafter of one generation, over leased instances that its {@code close()} gives back. On
   * failure, the leases it took are given back before the exception leaves.
   */
  private Drafter drafter(Settings settings, RandomGenerator random) {
    return switch (settings.drafter()) {
      case DrafterSpec.None n -> Drafter.none();
      case DrafterSpec.Lookup l -> PromptLookupDrafter.create(l.config());
      case DrafterSpec.DraftModel d -> draftModel(settings, d.k(), random);
      case DrafterSpec.DraftTree d -> {
        CausalLm lease = Leases.causalLm(drafts);
        yield closingOnFailure(lease, () -> Drafter.draftModelTree(lease, d.tree()));
      }
      case DrafterSpec.LookupThenDraft l -> {
        Drafter fallback = draftModel(settings, l.k(), random);
        yield closingOnFailure(
            fallback, () -> LookupFirstDrafter.of(l.config(), fallback, l.ngramMin()));
      }
      case DrafterSpec.Mtp m -> {
        MtpModule lease = Leases.mtp(mtps);
        yield closingOnFailure(
            lease, () -> MtpDrafter.of(lease, settings.sampling(), m.config(), random));
      }
      case DrafterSpec.Medusa m -> {
        MedusaHeads lease = Leases.medusa(medusas);
        yield closingOnFailure(lease, () -> Drafter.medusa(lease, m.tree()));
      }
    };
  }

  private Drafter draftModel(Settings settings, int k, RandomGenerator random) {
    CausalLm lease = Leases.causalLm(drafts);
    return closingOnFailure(lease, () -> Drafter.draftModel(lease, settings.sampling(), k, random));
  }

  /** A step that makes an owner of {@code resource}. */
  @FunctionalInterface
  private interface Owner<T> {
    T make();
  }

  private static <T> T closingOnFailure(AutoCloseable resource, Owner<T> owner) {
    try {
      return owner.make();
    } catch (RuntimeException e) {
      try {
        resource.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void enter() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("SpecDecoder of bundle '" + bundle.name() + "' is closed");
      }
      running++;
    }
  }

  private void exit() {
    synchronized (lock) {
      running--;
      lock.notifyAll();
    }
  }

  /** Instances made of the target so far: the most generations that ran at once. For tests. */
  int targetInstances() {
    return targets.created();
  }

  /**
   * Waits for running {@code generate} calls to return, then closes every model, the tokenizer and
   * the engine; later calls fail. Idempotent.
   */
  @Override
  public void close() {
    boolean interrupted = false;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      while (running > 0) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true; // finish closing: models must not outlive the decoder
        }
      }
    }
    try {
      new Loaded(this).close();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "SpecDecoder[" + bundle.name() + ", drafters " + available() + "]";
  }

  /** What {@link #open} loads, in order, so that a failure part way closes what was loaded. */
  private static final class Loaded implements AutoCloseable {
    final ModelBundle bundle;
    final Engine engine;
    TextTokenizer tokenizer;
    ModelInfo targetInfo;
    InstancePool<CausalLm> targets;
    InstancePool<CausalLm> drafts;
    InstancePool<MtpModule> mtps;
    InstancePool<MedusaHeads> medusas;

    Loaded(ModelBundle bundle, Engine engine) {
      this.bundle = bundle;
      this.engine = engine;
    }

    Loaded(SpecDecoder decoder) {
      this(decoder.bundle, decoder.engine);
      tokenizer = decoder.tokenizer;
      targets = decoder.targets;
      drafts = decoder.drafts;
      mtps = decoder.mtps;
      medusas = decoder.medusas;
    }

    void load(Device device)
        throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
      tokenizer = engine.loadTokenizer(bundle.tokenizer());
      targets = new InstancePool<>(engine.loadCausalLmWeights(bundle.target(), device));
      // One instance now, for the target's declared sizes; it is the first generation's.
      CausalLm target = targets.take();
      targetInfo = target.info();
      targets.give(target);
      if (tokenizer.vocabSize() > targetInfo.vocabSize()) {
        throw new BundleException(
            "bundle '"
                + bundle.name()
                + "': the tokenizer has "
                + tokenizer.vocabSize()
                + " ids but the target's vocabulary has "
                + targetInfo.vocabSize());
      }
      if (bundle.draft().isPresent()) {
        drafts = new InstancePool<>(engine.loadCausalLmWeights(bundle.draft().get(), device));
        CausalLm draft = drafts.take();
        try {
          ModelInfo.requireSameVocabulary(targetInfo, draft.info());
        } catch (IllegalArgumentException e) {
          throw new BundleException("bundle '" + bundle.name() + "': " + e.getMessage());
        } finally {
          drafts.give(draft);
        }
      }
      if (bundle.mtp().isPresent()) {
        mtps = new InstancePool<>(engine.loadMtpWeights(bundle.mtp().get(), device, targetInfo));
      }
      if (bundle.medusa().isPresent()) {
        medusas = new InstancePool<>(engine.loadMedusaWeights(bundle.medusa().get(), device));
        MedusaHeads heads = medusas.take();
        try {
          heads.requireTarget(targetInfo);
        } catch (IllegalArgumentException e) {
          throw new BundleException("bundle '" + bundle.name() + "': " + e.getMessage());
        } finally {
          medusas.give(heads);
        }
      }
    }

    /** Closes what was loaded, last first; the engine closes anything left. */
    @Override
    public void close() {
      TextTokenizer t = tokenizer;
      InstancePool<CausalLm> tp = targets;
      InstancePool<CausalLm> dp = drafts;
      InstancePool<MtpModule> mp = mtps;
      InstancePool<MedusaHeads> hp = medusas;
      try (engine;
          t;
          tp;
          dp;
          mp;
          hp) {
        // try-with-resources closes the non-null ones in reverse order: engine last
      }
    }
  }

  /** The tokenizer as callers see it: every call delegates; {@code close()} does nothing. */
  private record TokenizerView(TextTokenizer tokenizer) implements TextTokenizer {
    @Override
    public int[] encode(String text) {
      return tokenizer.encode(text);
    }

    @Override
    public String decode(int[] ids) {
      return tokenizer.decode(ids);
    }

    @Override
    public int vocabSize() {
      return tokenizer.vocabSize();
    }

    /** Does nothing: the decoder owns the tokenizer. */
    @Override
    public void close() {}
  }
}
