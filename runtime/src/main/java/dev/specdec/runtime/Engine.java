package dev.specdec.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.model.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads models and tokenizers; owns ONNX Runtime's environment and its one global thread pool.
 *
 * <p>Every session an engine creates uses the environment's global intra-op pool ({@code
 * disablePerSessionThreads}): a target and a draft alternating with their own spinning pools were
 * measured about twice as slow per step as with one shared pool.
 *
 * <p>ONNX Runtime's environment is a process-wide singleton whose thread pool is fixed when it is
 * first created. The first {@link #create} creates it with the given options; later engines reuse
 * it when their (resolved) options are equal, and {@code create} fails with an {@link
 * IllegalStateException} when they differ. If code outside specdec created the environment first
 * (without a global thread pool), {@code create} fails too, saying so.
 *
 * <p>{@link #close()} closes every model the engine loaded that is still open; the environment
 * itself lives until the JVM exits (closing it is a no-op in ONNX Runtime's Java API). Not
 * thread-safe for concurrent loads; instances of loaded {@link ModelWeights} may be made and closed
 * on any thread.
 */
public final class Engine implements AutoCloseable {
  // Guarded by Engine.class. Static because ONNX Runtime's environment is process-wide: this
  // records the thread pool it was created with, so that a second engine cannot silently get a
  // different one.
  private static EngineOptions environmentOptions;

  private final OrtEnvironment env;
  private final EngineOptions options;
  private final Cancellation cancellation;
  // Synchronized: instances of shared weights are made and closed on the callers' threads.
  private final Set<CausalLm> openModels = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<OnnxMedusaHeads> openHeads = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<ModelWeights<?>> openWeights =
      Collections.synchronizedSet(new LinkedHashSet<>());
  private volatile boolean closed;

  private Engine(OrtEnvironment env, EngineOptions options, Cancellation cancellation) {
    this.env = env;
    this.options = options;
    this.cancellation = cancellation;
  }

  /** An engine with {@link EngineOptions#defaults()}: all cores, no spinning. */
  public static Engine create() {
    return create(EngineOptions.defaults());
  }

  /**
   * An engine with {@code options} whose models stop when {@link #cancellation()} of the engine is
   * cancelled: a new {@link Cancellation}, which only holders of this engine can cancel.
   *
   * @throws IllegalStateException as {@link #create(EngineOptions, Cancellation)}
   */
  public static Engine create(EngineOptions options) {
    return create(options, Cancellation.create());
  }

  /**
   * An engine whose sessions share ONNX Runtime's global thread pool configured by {@code options},
   * and whose models stop their passes when {@code cancellation} is cancelled (see {@link
   * Cancellation}).
   *
   * @throws IllegalStateException when the process-wide environment already exists with other
   *     threading options, or was created outside specdec without a global thread pool
   */
  public static Engine create(EngineOptions options, Cancellation cancellation) {
    EngineOptions wanted = Objects.requireNonNull(options, "options").resolved();
    Objects.requireNonNull(cancellation, "cancellation");
    synchronized (Engine.class) {
      if (environmentOptions == null) {
        OrtEnvironment env = createEnvironment(wanted);
        environmentOptions = wanted;
        return new Engine(env, wanted, cancellation);
      }
      if (!environmentOptions.equals(wanted)) {
        throw new IllegalStateException(
            "ONNX Runtime's environment is process-wide and already has a global thread pool with "
                + environmentOptions
                + "; cannot create an engine with "
                + wanted
                + ": create every engine with the same options, or share one engine");
      }
      return new Engine(OrtEnvironment.getEnvironment(), wanted, cancellation);
    }
  }

  /**
   * Creates the process's environment: the global thread pool of {@code options}, telemetry off and
   * fatal-only logging unless asked otherwise, and ONNX Runtime's unpacked libraries deleted at
   * exit (see {@link NativeRuntimeSettings}).
   */
  private static OrtEnvironment createEnvironment(EngineOptions options) {
    OrtLoggingLevel logLevel = NativeRuntimeSettings.logLevel();
    try (OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions()) {
      threading.setGlobalIntraOpNumThreads(options.intraOpThreads());
      threading.setGlobalInterOpNumThreads(1); // sequential execution: no inter-op parallelism
      threading.setGlobalSpinControl(options.allowSpinning());
      OrtEnvironment env = OrtEnvironment.getEnvironment(logLevel, "specdec", threading);
      NativeRuntimeSettings.deleteOrtTempDirectoryAtExit();
      env.setTelemetry(NativeRuntimeSettings.telemetry());
      return env;
    } catch (OrtException e) {
      throw new IllegalStateException(
          "could not create ONNX Runtime's environment with " + options + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "an ONNX Runtime environment already exists in this process without specdec's global"
              + " thread pool (OrtEnvironment.getEnvironment() was called before Engine.create());"
              + " create the Engine first",
          e);
    }
  }

  /** What stops the passes of this engine's models; cancel it from any thread. */
  public Cancellation cancellation() {
    return cancellation;
  }

  /** The threading options in effect, with the thread count resolved. */
  public EngineOptions options() {
    return options;
  }

  /**
   * Loads an ONNX causal LM and validates it once, here, against the layout it has: the specdec
   * model contract (see {@code docs/model-contract.md}) or Hugging Face Optimum's decoder layout,
   * whose sizes and special tokens come from the {@code config.json} / {@code
   * generation_config.json} beside the file (see {@code docs/importing.md}).
   *
   * <p>The model's KV cache is allocated now, sized for its declared context length. The caller
   * owns the model and closes it; closing this engine closes it too.
   *
   * @param onnxFile the model file
   * @param device where to run it; CUDA needs the {@code onnxruntime_gpu} build (never falls back
   *     to the CPU)
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the model's inputs, outputs or metadata break the contract,
   *     or match neither layout (the message lists what it has and what each layout expects)
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public CausalLm loadCausalLm(Path onnxFile, Device device)
      throws IOException, ModelContractException, DeviceUnavailableException {
    // The weights' own reference goes at once: the one instance then owns the session alone.
    try (ModelWeights<CausalLm> weights = loadCausalLmWeights(onnxFile, device)) {
      return weights.newInstance();
    }
  }

  /**
   * Loads an ONNX causal LM once, validated as {@link #loadCausalLm(Path, Device)} validates it,
   * for any number of instances that share its session: each {@link ModelWeights#newInstance()} is
   * a {@link CausalLm} with its own KV cache (allocated then), and instances may run on different
   * threads at the same time. The caller owns the weights and every instance, and closes them;
   * closing this engine closes them too.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException as {@link #loadCausalLm(Path, Device)}
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public ModelWeights<CausalLm> loadCausalLmWeights(Path onnxFile, Device device)
      throws IOException, ModelContractException, DeviceUnavailableException {
    return load(
        onnxFile,
        device,
        "model ",
        (model, session) ->
            switch (LayoutDetector.detect(model, session)) {
              case SPECDEC_V1 -> {
                ModelInfo info = ModelContract.validate(model, session);
                yield share(
                    session,
                    "model '" + info.name() + "'",
                    shared ->
                        track(
                            new OnnxCausalLm(env, shared, info, cancellation, openModels::remove)));
              }
              case OPTIMUM -> {
                OptimumLayout.Validated validated =
                    OptimumLayout.validate(model, session, parentOf(onnxFile));
                yield share(
                    session,
                    "model '" + validated.info().name() + "' (Optimum layout)",
                    shared ->
                        track(
                            new OptimumCausalLm(
                                env, shared, validated, cancellation, openModels::remove)));
              }
            });
  }

  private <T extends CausalLm> T track(T lm) {
    openModels.add(lm);
    return lm;
  }

  /** Shared weights over a freshly validated {@code session}, tracked until closed. */
  private <T extends AutoCloseable> ModelWeights<T> share(
      OrtSession session, String label, ModelWeights.Factory<T> factory) {
    ModelWeights<T> weights =
        new ModelWeights<>(new SharedSession(session, label), label, factory, openWeights::remove);
    openWeights.add(weights);
    return weights;
  }

  /**
   * Loads an MTP module (docs/mtp-medusa-contract.md) for {@code target} and validates it once,
   * here: its interface, and that it was made for this target (the target's {@code specdec.name},
   * hidden size and vocabulary).
   *
   * <p>Its KV cache is allocated now. The caller owns the module and closes it; closing this engine
   * closes it too.
   *
   * @param target what the target declared, e.g. {@code targetLm.info()}
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the module breaks the interface or belongs to another
   *     target
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public MtpModule loadMtp(Path onnxFile, Device device, ModelInfo target)
      throws IOException, ModelContractException, DeviceUnavailableException {
    try (ModelWeights<MtpModule> weights = loadMtpWeights(onnxFile, device, target)) {
      return weights.newInstance();
    }
  }

  /**
   * Loads an MTP module once, validated as {@link #loadMtp} validates it, for any number of
   * instances that share its session, each with its own KV cache (see {@link
   * #loadCausalLmWeights}). The caller owns the weights and every instance; closing this engine
   * closes them too.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the module breaks the interface or belongs to another
   *     target
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public ModelWeights<MtpModule> loadMtpWeights(Path onnxFile, Device device, ModelInfo target)
      throws IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(target, "target");
    return load(
        onnxFile,
        device,
        "MTP module ",
        (model, session) -> {
          MtpInfo info = MtpContract.validate(model, session, target);
          ModelInfo asModel = MtpContract.asModelInfo(info, target);
          return share(
              session,
              "MTP module '" + info.name() + "'",
              shared -> {
                OnnxCausalLm core =
                    track(
                        new OnnxCausalLm(
                            env,
                            shared,
                            asModel,
                            cancellation,
                            openModels::remove,
                            OnnxCausalLm.Layout.MTP));
                return new OnnxMtpModule(core, info);
              });
        });
  }

  /** Validates a freshly opened session and wraps it; see {@link #load}. */
  @FunctionalInterface
  private interface SessionWrapper<T> {
    T wrap(String model, OrtSession session)
        throws ModelContractException, IOException, OrtException;
  }

  /**
   * Opens a session on {@code onnxFile} and hands it to {@code wrapper}, which validates it and
   * wraps it into the model that owns it from then on; on any failure the session is closed.
   *
   * @param kind how messages name the file: {@code "model "}, {@code "MTP module "}
   */
  private <T> T load(Path onnxFile, Device device, String kind, SessionWrapper<T> wrapper)
      throws IOException, ModelContractException, DeviceUnavailableException {
    String model = onnxFile.getFileName().toString();
    OrtSession session = openSession(onnxFile, device);
    try {
      return wrapper.wrap(model, session);
    } catch (ModelContractException | IOException | RuntimeException e) {
      closeAfterFailure(session, e);
      throw e;
    } catch (OrtException e) {
      IOException failure =
          new IOException(
              kind + model + ": could not read its inputs, outputs or metadata: " + e.getMessage(),
              e);
      closeAfterFailure(session, failure);
      throw failure;
    }
  }

  /**
   * Checks that {@code onnxFile} can be an ONNX model before ONNX Runtime reads it.
   *
   * @return its file name, for messages
   */
  private static String requireModelFile(Path onnxFile) throws IOException {
    String model = String.valueOf(onnxFile.getFileName());
    if (Files.isDirectory(onnxFile)) {
      throw new IOException(
          "model " + model + ": " + onnxFile + " is a directory, not an ONNX model file");
    }
    if (!Files.isRegularFile(onnxFile)) {
      throw new NoSuchFileException(onnxFile.toString(), null, "ONNX model file does not exist");
    }
    if (Files.size(onnxFile) == 0) {
      // ONNX Runtime's own message for this is a C++ function signature.
      throw new IOException(
          "model " + model + ": " + onnxFile + " is empty (0 bytes), not an ONNX model");
    }
    return model;
  }

  /** A session on the global thread pool with full graph optimization, on {@code device}. */
  private OrtSession openSession(Path onnxFile, Device device)
      throws IOException, DeviceUnavailableException {
    requireOpen();
    Objects.requireNonNull(device, "device");
    String model = requireModelFile(onnxFile);
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.disablePerSessionThreads();
      sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      addExecutionProvider(sessionOptions, device);
      return env.createSession(onnxFile.toString(), sessionOptions);
    } catch (OrtException e) {
      throw new IOException(
          "model "
              + model
              + ": ONNX Runtime could not load "
              + onnxFile
              + ": "
              + OrtMessages.clean(e.getMessage()),
          e);
    }
  }

  /**
   * Describes an ONNX file without keeping it loaded: its declared inputs and outputs, metadata,
   * the layout detected and, when specdec can run it, its sizes and special tokens; otherwise the
   * reason it cannot (the message {@link #loadCausalLm(Path, Device)} would throw). On the CPU.
   *
   * @param modelFileOrDirectory an ONNX file or a directory holding one (see {@link
   *     #resolveModelFile})
   * @throws NoSuchFileException when there is no such model file
   * @throws IOException when ONNX Runtime cannot parse the file at all
   */
  public ModelInspection inspect(Path modelFileOrDirectory) throws IOException {
    requireOpen();
    Path file = resolveModelFile(modelFileOrDirectory);
    String model = requireModelFile(file);
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.disablePerSessionThreads();
      try (OrtSession session = env.createSession(file.toString(), sessionOptions)) {
        List<String> inputs = TensorChecks.describeAll(session.getInputInfo());
        List<String> outputs = TensorChecks.describeAll(session.getOutputInfo());
        java.util.Map<String, String> metadata = session.getMetadata().getCustomMetadata();
        boolean hidden = session.getOutputNames().contains("hidden_states");
        Optional<ModelLayout> layout = Optional.empty();
        try {
          ModelLayout detected = LayoutDetector.detect(model, session);
          layout = Optional.of(detected);
          ModelInfo info =
              switch (detected) {
                case SPECDEC_V1 -> ModelContract.validate(model, session);
                case OPTIMUM -> OptimumLayout.validate(model, session, parentOf(file)).info();
              };
          return new ModelInspection(
              file,
              Files.size(file),
              inputs,
              outputs,
              metadata,
              layout,
              Optional.of(info),
              Optional.empty(),
              hidden);
        } catch (ModelContractException | NoSuchFileException e) {
          String problem =
              e instanceof NoSuchFileException n
                  ? n.getFile() + ": " + n.getReason()
                  : e.getMessage();
          return new ModelInspection(
              file,
              Files.size(file),
              inputs,
              outputs,
              metadata,
              layout,
              Optional.empty(),
              Optional.of(problem),
              hidden);
        }
      }
    } catch (OrtException e) {
      throw new IOException(
          "model "
              + model
              + ": ONNX Runtime could not load "
              + file
              + ": "
              + OrtMessages.clean(e.getMessage()),
          e);
    }
  }

  /**
   * Loads a causal LM from a plain path on the CPU: an ONNX file, or a directory holding one (the
   * first of {@link #MODEL_FILE_NAMES} present), in either layout {@link #loadCausalLm(Path,
   * Device)} accepts.
   *
   * @throws NoSuchFileException when the path does not exist, or a directory holds none of those
   *     files
   */
  public CausalLm loadCausalLm(Path modelFileOrDirectory)
      throws IOException, ModelContractException {
    try {
      return loadCausalLm(resolveModelFile(modelFileOrDirectory), Device.cpu());
    } catch (DeviceUnavailableException e) {
      throw new AssertionError("ONNX Runtime always registers the CPU execution provider", e);
    }
  }

  /**
   * File names {@link #resolveModelFile} looks for in a directory, in order: Optimum's merged and
   * plain decoder exports, then a specdec bundle's target.
   */
  public static final List<String> MODEL_FILE_NAMES =
      List.of("decoder_model_merged.onnx", "model.onnx", "decoder_model.onnx", "target.onnx");

  /**
   * The ONNX file a path names: the path itself when it is a file, else the first of {@link
   * #MODEL_FILE_NAMES} in the directory.
   *
   * @throws NoSuchFileException naming what was looked for when there is none
   */
  public static Path resolveModelFile(Path modelFileOrDirectory) throws NoSuchFileException {
    Objects.requireNonNull(modelFileOrDirectory, "modelFileOrDirectory");
    if (Files.isRegularFile(modelFileOrDirectory)) {
      return modelFileOrDirectory;
    }
    if (Files.isDirectory(modelFileOrDirectory)) {
      for (String name : MODEL_FILE_NAMES) {
        Path file = modelFileOrDirectory.resolve(name);
        if (Files.isRegularFile(file)) {
          return file;
        }
      }
      throw new NoSuchFileException(
          modelFileOrDirectory.toString(),
          null,
          "directory holds no ONNX decoder; looked for " + MODEL_FILE_NAMES);
    }
    throw new NoSuchFileException(
        modelFileOrDirectory.toString(), null, "no such model file or directory");
  }

  /**
   * Loads Medusa heads ({@code medusa.onnx}, docs/mtp-medusa-contract.md) and validates their
   * metadata, input and output once, here. The caller owns and closes them; closing this engine
   * closes them too. Check them against their target with {@link MedusaHeads#requireTarget}.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the file is not Medusa heads as the interface describes
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public MedusaHeads loadMedusaHeads(Path onnxFile, Device device)
      throws IOException, ModelContractException, DeviceUnavailableException {
    try (ModelWeights<MedusaHeads> weights = loadMedusaWeights(onnxFile, device)) {
      return weights.newInstance();
    }
  }

  /**
   * Loads Medusa heads once, validated as {@link #loadMedusaHeads} validates them, for any number
   * of instances that share the session, each with its own pinned input and output (see {@link
   * #loadCausalLmWeights}). The caller owns the weights and every instance; closing this engine
   * closes them too.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the file is not Medusa heads as the interface describes
   * @throws DeviceUnavailableException when this ONNX Runtime build or machine cannot run {@code
   *     device}
   * @throws IllegalStateException when the engine is closed
   */
  public ModelWeights<MedusaHeads> loadMedusaWeights(Path onnxFile, Device device)
      throws IOException, ModelContractException, DeviceUnavailableException {
    return load(
        onnxFile,
        device,
        "Medusa heads ",
        (model, session) -> {
          OnnxMedusaHeads.Spec spec = OnnxMedusaHeads.validate(session, model);
          return share(
              session,
              "Medusa heads '" + spec.name() + "'",
              shared -> {
                OnnxMedusaHeads heads =
                    new OnnxMedusaHeads(env, shared, spec, cancellation, openHeads::remove);
                openHeads.add(heads);
                return heads;
              });
        });
  }

  /**
   * Loads a Hugging Face {@code tokenizer.json}. The caller owns and closes the tokenizer.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when it cannot be read or parsed
   */
  public TextTokenizer loadTokenizer(Path tokenizerJson) throws IOException {
    requireOpen();
    return HfTokenizer.load(tokenizerJson);
  }

  /**
   * Closes every model loaded by this engine that is still open, instances of shared weights and
   * the weights included; idempotent. No model of this engine may be running a pass meanwhile.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CausalLm lm : copy(openModels)) {
      lm.close();
    }
    for (OnnxMedusaHeads heads : copy(openHeads)) {
      heads.close();
    }
    for (ModelWeights<?> weights : copy(openWeights)) {
      weights.close();
    }
  }

  private static <T> List<T> copy(Set<T> synchronizedSet) {
    synchronized (synchronizedSet) {
      return new ArrayList<>(synchronizedSet);
    }
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent != null ? parent : file.toAbsolutePath();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("engine is closed");
    }
  }

  private static void addExecutionProvider(OrtSession.SessionOptions options, Device device)
      throws OrtException, DeviceUnavailableException {
    switch (device) {
      case Device.Cpu cpu -> {
        // the CPU execution provider is always registered
      }
      case Device.Cuda cuda -> {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          throw new DeviceUnavailableException(
              "CUDA requested ("
                  + cuda
                  + ") but this ONNX Runtime build has no CUDA execution provider (available: "
                  + OrtEnvironment.getAvailableProviders()
                  + "); build with -Pcuda (artifact onnxruntime_gpu) and install CUDA 12 +"
                  + " cuDNN 9",
              null);
        }
        try {
          options.addCUDA(cuda.deviceId());
        } catch (OrtException e) {
          throw new DeviceUnavailableException(
              "CUDA requested ("
                  + cuda
                  + ") but ONNX Runtime could not enable its CUDA execution provider: "
                  + e.getMessage()
                  + "; install CUDA 12 + cuDNN 9 and check the device id",
              e);
        }
      }
    }
  }

  private static void closeAfterFailure(OrtSession session, Exception failure) {
    try {
      session.close();
    } catch (OrtException e) {
      failure.addSuppressed(e);
    }
  }
}
