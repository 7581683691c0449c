package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
 * [K, 1, 1, V], both allocated at load: a run copies only the K * V logits out.
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

  private OnnxMedusaHeads(
      OrtEnvironment env,
      OrtSession session,
      Map<String, String> meta,
      String model,
      Cancellation cancellation,
      Consumer<OnnxMedusaHeads> onClose)
      throws ModelContractException, OrtException {
    this.session = session;
    this.onClose = onClose;
    this.name = meta.get("specdec.name");
    this.targetName = meta.get("specdec.target");
    this.heads = ModelContract.intValue(model, meta, "specdec.medusa_heads");
    this.hidden = ModelContract.intValue(model, meta, "specdec.hidden_size");
    this.vocab = ModelContract.intValue(model, meta, "specdec.vocab_size");
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
    this.input = direct(hidden);
    this.output = direct(heads * vocab);
    this.inputTensor = OnnxTensor.createTensor(env, input, new long[] {1, 1, hidden});
    this.outputTensor = OnnxTensor.createTensor(env, output, new long[] {heads, 1, 1, vocab});
    this.runControl = RunControl.open(cancellation, "Medusa heads '" + name + "'");
  }

  /**
   * Validates {@code session} and wraps it; closes nothing on failure (the caller does).
   *
   * @param model the file name, for messages
   */
  static OnnxMedusaHeads validate(
      OrtEnvironment env,
      OrtSession session,
      String model,
      Cancellation cancellation,
      Consumer<OnnxMedusaHeads> onClose)
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
    OnnxMedusaHeads heads = new OnnxMedusaHeads(env, session, meta, model, cancellation, onClose);
    try {
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
          TensorChecks.Dim.fixed(heads.hidden));
      TensorChecks.checkTensor(
          model,
          out.get("logits"),
          OnnxJavaType.FLOAT,
          TensorChecks.Dim.fixed(heads.heads),
          batch,
          seq,
          TensorChecks.Dim.fixed(heads.vocab));
      return heads;
    } catch (ModelContractException | RuntimeException e) {
      heads.inputTensor.close();
      heads.outputTensor.close();
      heads.runControl.close();
      throw e;
    }
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
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing Medusa heads '" + name + "' failed", e);
    } finally {
      onClose.accept(this);
    }
  }
}
