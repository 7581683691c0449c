package dev.specdec.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
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
 * thread-safe for concurrent loads.
 */
public final class Engine implements AutoCloseable {
  // Guarded by Engine.class. Static because ONNX Runtime's environment is process-wide: this
  // records the thread pool it was created with, so that a second engine cannot silently get a
  // different one.
  private static EngineOptions environmentOptions;

  private final OrtEnvironment env;
  private final EngineOptions options;
  private final Set<OnnxCausalLm> openModels = new LinkedHashSet<>();
  private final Set<OnnxMedusaHeads> openHeads = new LinkedHashSet<>();
  private boolean closed;

  private Engine(OrtEnvironment env, EngineOptions options) {
    this.env = env;
    this.options = options;
  }

  /** An engine with {@link EngineOptions#defaults()}: all cores, no spinning. */
  public static Engine create() {
    return create(EngineOptions.defaults());
  }

  /**
   * An engine whose sessions share ONNX Runtime's global thread pool configured by {@code options}.
   *
   * @throws IllegalStateException when the process-wide environment already exists with other
   *     threading options, or was created outside specdec without a global thread pool
   */
  public static Engine create(EngineOptions options) {
    EngineOptions wanted = Objects.requireNonNull(options, "options").resolved();
    synchronized (Engine.class) {
      if (environmentOptions == null) {
        OrtEnvironment env = createEnvironment(wanted);
        environmentOptions = wanted;
        return new Engine(env, wanted);
      }
      if (!environmentOptions.equals(wanted)) {
        throw new IllegalStateException(
            "ONNX Runtime's environment is process-wide and already has a global thread pool with "
                + environmentOptions
                + "; cannot create an engine with "
                + wanted
                + ": create every engine with the same options, or share one engine");
      }
      return new Engine(OrtEnvironment.getEnvironment(), wanted);
    }
  }

  private static OrtEnvironment createEnvironment(EngineOptions options) {
    try (OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions()) {
      threading.setGlobalIntraOpNumThreads(options.intraOpThreads());
      threading.setGlobalInterOpNumThreads(1); // sequential execution: no inter-op parallelism
      threading.setGlobalSpinControl(options.allowSpinning());
      return OrtEnvironment.getEnvironment(
          OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "specdec", threading);
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

  /** The threading options in effect, with the thread count resolved. */
  public EngineOptions options() {
    return options;
  }

  /**
   * Loads an ONNX causal LM and validates it against the specdec model contract (see {@code
   * docs/model-contract.md}) once, here.
   *
   * <p>The model's KV cache is allocated now, sized for its declared context length. The caller
   * owns the model and closes it; closing this engine closes it too.
   *
   * @param onnxFile the model file
   * @param device where to run it; CUDA needs the {@code onnxruntime_gpu} build (never falls back
   *     to the CPU)
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the model's inputs, outputs or metadata break the contract
   * @throws IllegalStateException when the device is unavailable in this ONNX Runtime build, or the
   *     engine is closed
   */
  public CausalLm loadCausalLm(Path onnxFile, Device device)
      throws IOException, ModelContractException {
    requireOpen();
    Objects.requireNonNull(device, "device");
    if (!Files.isRegularFile(onnxFile)) {
      throw new NoSuchFileException(onnxFile.toString(), null, "ONNX model file does not exist");
    }
    String model = onnxFile.getFileName().toString();
    OrtSession session;
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.disablePerSessionThreads();
      sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      addExecutionProvider(sessionOptions, device);
      session = env.createSession(onnxFile.toString(), sessionOptions);
    } catch (OrtException e) {
      throw new IOException(
          "model " + model + ": ONNX Runtime could not load " + onnxFile + ": " + e.getMessage(),
          e);
    }
    try {
      ModelInfo info = ModelContract.validate(model, session);
      OnnxCausalLm lm = new OnnxCausalLm(env, session, info, openModels::remove);
      openModels.add(lm);
      return lm;
    } catch (ModelContractException | RuntimeException e) {
      closeAfterFailure(session, e);
      throw e;
    } catch (OrtException e) {
      IOException failure =
          new IOException(
              "model "
                  + model
                  + ": could not read its inputs, outputs or metadata: "
                  + e.getMessage(),
              e);
      closeAfterFailure(session, failure);
      throw failure;
    }
  }

  /**
   * Loads Medusa heads ({@code medusa.onnx}, docs/mtp-medusa-contract.md) and validates their
   * metadata, input and output once, here. The caller owns and closes them; closing this engine
   * closes them too. Check them against their target with {@link MedusaHeads#requireTarget}.
   *
   * @throws NoSuchFileException when the file does not exist
   * @throws IOException when ONNX Runtime cannot read or parse the file
   * @throws ModelContractException when the file is not Medusa heads as the interface describes
   * @throws IllegalStateException when the device is unavailable or the engine is closed
   */
  public MedusaHeads loadMedusaHeads(Path onnxFile, Device device)
      throws IOException, ModelContractException {
    requireOpen();
    Objects.requireNonNull(device, "device");
    if (!Files.isRegularFile(onnxFile)) {
      throw new NoSuchFileException(onnxFile.toString(), null, "Medusa heads file does not exist");
    }
    String model = onnxFile.getFileName().toString();
    OrtSession session;
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.disablePerSessionThreads();
      sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      addExecutionProvider(sessionOptions, device);
      session = env.createSession(onnxFile.toString(), sessionOptions);
    } catch (OrtException e) {
      throw new IOException(
          "model " + model + ": ONNX Runtime could not load " + onnxFile + ": " + e.getMessage(),
          e);
    }
    try {
      OnnxMedusaHeads heads = OnnxMedusaHeads.validate(env, session, model, openHeads::remove);
      openHeads.add(heads);
      return heads;
    } catch (ModelContractException | RuntimeException e) {
      closeAfterFailure(session, e);
      throw e;
    } catch (OrtException e) {
      IOException failure =
          new IOException(
              "model "
                  + model
                  + ": could not read its input, output or metadata: "
                  + e.getMessage(),
              e);
      closeAfterFailure(session, failure);
      throw failure;
    }
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

  /** Closes every model loaded by this engine that is still open; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (OnnxCausalLm lm : new ArrayList<>(openModels)) {
      lm.close();
    }
    for (OnnxMedusaHeads heads : new ArrayList<>(openHeads)) {
      heads.close();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("engine is closed");
    }
  }

  private static void addExecutionProvider(OrtSession.SessionOptions options, Device device)
      throws OrtException {
    switch (device) {
      case Device.Cpu cpu -> {
        // the CPU execution provider is always registered
      }
      case Device.Cuda cuda -> {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          throw new IllegalStateException(
              "CUDA requested ("
                  + cuda
                  + ") but this ONNX Runtime build has no CUDA execution provider (available: "
                  + OrtEnvironment.getAvailableProviders()
                  + "); build with -Pcuda (artifact onnxruntime_gpu) and install CUDA 12 +"
                  + " cuDNN 9");
        }
        try {
          options.addCUDA(cuda.deviceId());
        } catch (OrtException e) {
          throw new IllegalStateException(
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
