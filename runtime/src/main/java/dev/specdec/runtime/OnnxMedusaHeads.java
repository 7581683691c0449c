package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.InferenceException;
import dev.specdec.model.MedusaHeads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link MedusaHeads} over an ONNX Runtime session, validated at load against the Medusa interface
 * of docs/mtp-medusa-contract.md. One direct input buffer [1, 1, H] and one pinned output tensor
 * [K, 1, 1, V], both allocated per instance: a run copies only the K * V logits out. The session is
 * shared ({@link ModelWeights}); each instance owns only its two tensors.
 */
final class OnnxMedusaHeads implements MedusaHeads {
  static final List<String> METADATA_KEYS =
      List.of(
          ModelContract.CONTRACT,
          "specdec.role",
          "specdec.name",
          "specdec.target",
          "specdec.medusa_heads",
          "specdec.hidden_size",
          "specdec.vocab_size");

  /**
   * What validation established about the heads' file: everything an instance needs.
   *
   * @param name {@code specdec.name}
   * @param targetName {@code specdec.target}
   * @param heads K
   * @param hidden H
   * @param vocab V
   */
  record Spec(String name, String targetName, int heads, int hidden, int vocab) {}

  private final SharedSession shared; // released, not closed: other instances may run it
  private final OrtSession session;
  private final String name;
  private final String targetName;
  private final int heads;
  private final int hidden;
  private final int vocab;
  private final Consumer<OnnxMedusaHeads> onClose;
  private final FloatBuffer input; // (1, 1, H)
  private final FloatBuffer output; // (K, 1, 1, V)
  private final OnnxTensor inputTensor;
  private final OnnxTensor outputTensor;
  private final RunControl runControl;
  private long runs;
  private boolean closed;

  /**
   * An instance with its own pinned input and output over {@code session}, of which it holds one
   * reference, taken by the caller, and releases it on close; its runs stop when {@code
   * cancellation} is cancelled.
   */
  OnnxMedusaHeads(
      OrtEnvironment env,
      SharedSession session,
      Spec spec,
      Cancellation cancellation,
      Consumer<OnnxMedusaHeads> onClose)
      throws OrtException {
    this.shared = session;
    this.session = session.session();
    this.onClose = onClose;
    this.name = spec.name();
    this.targetName = spec.targetName();
    this.heads = spec.heads();
    this.hidden = spec.hidden();
    this.vocab = spec.vocab();
    this.input = direct(hidden);
    this.output = direct(heads * vocab);
    this.inputTensor = OnnxTensor.createTensor(env, input, new long[] {1, 1, hidden});
    try {
      this.outputTensor = OnnxTensor.createTensor(env, output, new long[] {heads, 1, 1, vocab});
    } catch (OrtException | RuntimeException e) {
      inputTensor.close();
      throw e;
    }
    try {
      this.runControl = RunControl.open(cancellation, "Medusa heads '" + name + "'");
    } catch (OrtException | RuntimeException e) {
      inputTensor.close();
      outputTensor.close();
      throw e;
    }
  }

  /**
   * Validates {@code session} as Medusa heads; closes nothing on failure (the caller does).
   *
   * @param model the file name, for messages
   */
  static Spec validate(OrtSession session, String model)
      throws ModelContractException, OrtException {
    Map<String, String> meta = session.getMetadata().getCustomMetadata();
    ModelContract.requireMetadataKeys(
        "model " + model, meta, METADATA_KEYS, "not exported as Medusa heads for specdec?");
    ModelContract.contractVersion("model " + model, model, meta);
    if (!"medusa".equals(meta.get("specdec.role"))) {
      throw new ModelContractException(
          "model "
              + model
              + ": specdec.role is '"
              + meta.get("specdec.role")
              + "', expected 'medusa': this is not a Medusa heads file");
    }
    TensorChecks.checkNames(model, "input", List.of("hidden_states"), session.getInputNames());
    TensorChecks.checkNames(model, "output", List.of("logits"), session.getOutputNames());
    int heads = ModelContract.intValue(model, meta, "specdec.medusa_heads");
    int hidden = ModelContract.intValue(model, meta, "specdec.hidden_size");
    int vocab = ModelContract.intValue(model, meta, "specdec.vocab_size");
    if (heads < 1 || hidden < 1 || vocab < 1) {
      throw new ModelContractException(
          "model "
              + model
              + ": specdec.medusa_heads, hidden_size and vocab_size must be >= 1, found "
              + heads
              + ", "
              + hidden
              + ", "
              + vocab);
    }
    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    TensorChecks.Dim batch = TensorChecks.Dim.symbolic("batch");
    TensorChecks.Dim seq = TensorChecks.Dim.symbolic("seq");
    TensorChecks.checkTensor(
        model,
        in.get("hidden_states"),
        OnnxJavaType.FLOAT,
        batch,
        seq,
        TensorChecks.Dim.fixed(hidden));
    TensorChecks.checkTensor(
        model,
        out.get("logits"),
        OnnxJavaType.FLOAT,
        TensorChecks.Dim.fixed(heads),
        batch,
        seq,
        TensorChecks.Dim.fixed(vocab));
    return new Spec(meta.get("specdec.name"), meta.get("specdec.target"), heads, hidden, vocab);
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String targetName() {
    return targetName;
  }

  @Override
  public int heads() {
    return heads;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public int vocabSize() {
    return vocab;
  }

  @Override
  public void run(float[] hiddenState, float[] logits) {
    if (closed) {
      throw new IllegalStateException("Medusa heads '" + name + "' are closed");
    }
    if (hiddenState.length != hidden || logits.length != heads * vocab) {
      throw new IllegalArgumentException(
          "Medusa heads '"
              + name
              + "' take "
              + hidden
              + " hidden floats and give "
              + heads * vocab
              + " logits, got arrays of "
              + hiddenState.length
              + " and "
              + logits.length);
    }
    input.put(0, hiddenState);
    OrtSession.RunOptions runOptions = runControl.begin(++runs);
    // The output is pinned: ONNX Runtime writes it into `output`; the Result owns nothing of ours.
    try (OrtSession.Result result =
        session.run(
            Map.of("hidden_states", inputTensor),
            Set.of(),
            Map.of("logits", outputTensor),
            runOptions)) {
      assert result.size() == 1;
    } catch (OrtException e) {
      throw runControl.failure(
          runs,
          e,
          () ->
              new InferenceException(
                  "Medusa heads '"
                      + name
                      + "': ONNX Runtime run failed: "
                      + OrtMessages.clean(e.getMessage()),
                  e));
    } finally {
      runControl.end();
    }
    output.get(0, logits);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    inputTensor.close();
    outputTensor.close();
    runControl.close();
    try {
      shared.release();
    } finally {
      onClose.accept(this);
    }
  }
}
