package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpInfo;
import dev.specdec.runtime.TensorChecks.Dim;
import java.util.List;
import java.util.Map;

/**
 * The MTP module interface of docs/mtp-medusa-contract.md, checked once at load, together with the
 * module's fit to the target it will draft for.
 *
 * <p>Inputs: {@code input_ids} int64 [batch, seq], {@code position_ids} int64 [batch, seq], {@code
 * hidden_states} float32 [batch, seq, Hd], {@code attention_mask} float32 [batch, 1, seq, total],
 * {@code past_key_0} / {@code past_value_0} float32 [batch, past, Hkv, D]. Outputs: {@code logits}
 * float32 [batch, seq, V], {@code hidden_states_out} float32 [batch, seq, Hd], {@code new_key_0} /
 * {@code new_value_0} float32 [batch, seq, Hkv, D].
 */
final class MtpContract {
  static final String ROLE = "mtp";
  static final List<String> METADATA_KEYS =
      List.of(
          ModelContract.CONTRACT,
          "specdec.role",
          "specdec.name",
          "specdec.target",
          "specdec.num_layers",
          "specdec.num_heads",
          "specdec.num_kv_heads",
          "specdec.head_size",
          "specdec.hidden_size",
          "specdec.vocab_size",
          "specdec.max_positions");
  static final List<String> INPUTS =
      List.of(
          "input_ids",
          "position_ids",
          "hidden_states",
          "attention_mask",
          ModelContract.pastKey(0),
          ModelContract.pastValue(0));
  static final List<String> OUTPUTS =
      List.of("logits", "hidden_states_out", ModelContract.newKey(0), ModelContract.newValue(0));

  private MtpContract() {}

  /**
   * Reads the module's metadata, checks its inputs and outputs, and checks that it belongs to
   * {@code target}: the target's name, hidden size and vocabulary.
   *
   * @param model the name used in messages (the file name)
   */
  static MtpInfo validate(String model, OrtSession session, ModelInfo target)
      throws ModelContractException, OrtException {
    MtpInfo info = readInfo(model, session.getMetadata().getCustomMetadata());
    TensorChecks.checkNames(model, "input", INPUTS, session.getInputNames());
    TensorChecks.checkNames(model, "output", OUTPUTS, session.getOutputNames());
    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    Dim batch = Dim.symbolic("batch");
    Dim seq = Dim.symbolic("seq");
    Dim hidden = Dim.fixed(info.hiddenSize());
    Dim kvHeads = Dim.fixed(info.numKvHeads());
    Dim headSize = Dim.fixed(info.headSize());
    TensorChecks.checkTensor(model, in.get("input_ids"), OnnxJavaType.INT64, batch, seq);
    TensorChecks.checkTensor(model, in.get("position_ids"), OnnxJavaType.INT64, batch, seq);
    TensorChecks.checkTensor(
        model, in.get("hidden_states"), OnnxJavaType.FLOAT, batch, seq, hidden);
    TensorChecks.checkTensor(
        model,
        in.get("attention_mask"),
        OnnxJavaType.FLOAT,
        batch,
        Dim.fixed(1),
        seq,
        Dim.symbolic("total"));
    for (String name : List.of(ModelContract.pastKey(0), ModelContract.pastValue(0))) {
      TensorChecks.checkTensor(
          model, in.get(name), OnnxJavaType.FLOAT, batch, Dim.symbolic("past"), kvHeads, headSize);
    }
    TensorChecks.checkTensor(
        model, out.get("logits"), OnnxJavaType.FLOAT, batch, seq, Dim.fixed(info.vocabSize()));
    TensorChecks.checkTensor(
        model, out.get("hidden_states_out"), OnnxJavaType.FLOAT, batch, seq, hidden);
    for (String name : List.of(ModelContract.newKey(0), ModelContract.newValue(0))) {
      TensorChecks.checkTensor(
          model, out.get(name), OnnxJavaType.FLOAT, batch, seq, kvHeads, headSize);
    }
    requireFits(model, info, target);
    return info;
  }

  static MtpInfo readInfo(String model, Map<String, String> metadata)
      throws ModelContractException {
    String role = metadata.get("specdec.role");
    if (role != null && !ROLE.equals(role)) {
      throw new ModelContractException(
          "MTP module "
              + model
              + ": expected specdec.role '"
              + ROLE
              + "', found '"
              + role
              + "' (a "
              + role
              + " model is not an MTP module)");
    }
    ModelContract.requireMetadataKeys(
        "MTP module " + model,
        metadata,
        METADATA_KEYS,
        "not exported as an MTP module, docs/mtp-medusa-contract.md?");
    ModelContract.contractVersion("MTP module " + model, model, metadata);
    int layers = ModelContract.intValue(model, metadata, "specdec.num_layers");
    if (layers != 1) {
      throw new ModelContractException(
          "MTP module " + model + ": expected specdec.num_layers 1, found " + layers);
    }
    try {
      return new MtpInfo(
          metadata.get("specdec.name"),
          metadata.get("specdec.target"),
          ModelContract.intValue(model, metadata, "specdec.num_heads"),
          ModelContract.intValue(model, metadata, "specdec.num_kv_heads"),
          ModelContract.intValue(model, metadata, "specdec.head_size"),
          ModelContract.intValue(model, metadata, "specdec.hidden_size"),
          ModelContract.intValue(model, metadata, "specdec.vocab_size"),
          ModelContract.intValue(model, metadata, "specdec.max_positions"));
    } catch (IllegalArgumentException e) {
      throw new ModelContractException(
          "MTP module " + model + ": invalid metadata: " + e.getMessage());
    }
  }

  /** The module must have been made for this target: its name, hidden size and vocabulary. */
  static void requireFits(String model, MtpInfo info, ModelInfo target)
      throws ModelContractException {
    if (!info.target().equals(target.name())) {
      throw new ModelContractException(
          "MTP module "
              + model
              + " was made for target '"
              + info.target()
              + "' (specdec.target), but the target is '"
              + target.name()
              + "': use the MTP module exported with this target");
    }
    if (info.hiddenSize() != target.hiddenSize()) {
      throw new ModelContractException(
          "MTP module "
              + model
              + ": expected hidden size "
              + target.hiddenSize()
              + " (the target's), found "
              + info.hiddenSize());
    }
    if (info.vocabSize() != target.vocabSize()) {
      throw new ModelContractException(
          "MTP module "
              + model
              + ": expected vocabulary size "
              + target.vocabSize()
              + " (the target's), found "
              + info.vocabSize());
    }
  }

  /**
   * The {@link ModelInfo} the shared cache machinery runs the module with: one layer, the module's
   * sizes, and the target's special tokens (a module has none of its own).
   */
  static ModelInfo asModelInfo(MtpInfo info, ModelInfo target) {
    return new ModelInfo(
        info.name(),
        ModelContract.VERSION,
        1,
        info.numHeads(),
        info.numKvHeads(),
        info.headSize(),
        info.hiddenSize(),
        info.vocabSize(),
        info.maxPositions(),
        target.bosTokenId(),
        target.eosTokenId());
  }
}
