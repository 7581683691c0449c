package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.ModelInfo;
import dev.specdec.runtime.TensorChecks.Dim;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The specdec model contract v1, checked once when a model is loaded (docs/model-contract.md).
 *
 * <p>Inputs: {@code input_ids} int64 [batch, seq], {@code position_ids} int64 [batch, seq], {@code
 * attention_mask} float32 [batch, 1, seq, total] (additive), and per layer i {@code past_key_i},
 * {@code past_value_i} float32 [batch, past, Hkv, D] (sequence-major, so a cache prefix is a
 * contiguous slice). Outputs: {@code logits} float32 [batch, seq, V], {@code hidden_states} float32
 * [batch, seq, H], and per layer {@code new_key_i}, {@code new_value_i} float32 [batch, seq, Hkv,
 * D]: the keys and values of the new tokens only.
 */
final class ModelContract {
  static final int VERSION = 1;

  static final String CONTRACT = "specdec.contract";
  static final List<String> METADATA_KEYS =
      List.of(
          CONTRACT,
          "specdec.name",
          "specdec.num_layers",
          "specdec.num_heads",
          "specdec.num_kv_heads",
          "specdec.head_size",
          "specdec.hidden_size",
          "specdec.vocab_size",
          "specdec.max_positions",
          "specdec.bos_token_id",
          "specdec.eos_token_id");

  private ModelContract() {}

  /** Input names in contract order for a model of {@code layers} layers. */
  static List<String> inputNames(int layers) {
    List<String> names = new ArrayList<>(List.of("input_ids", "position_ids", "attention_mask"));
    for (int i = 0; i < layers; i++) {
      names.add(pastKey(i));
      names.add(pastValue(i));
    }
    return names;
  }

  /** Output names in contract order for a model of {@code layers} layers. */
  static List<String> outputNames(int layers) {
    List<String> names = new ArrayList<>(List.of("logits", "hidden_states"));
    for (int i = 0; i < layers; i++) {
      names.add(newKey(i));
      names.add(newValue(i));
    }
    return names;
  }

  static String pastKey(int layer) {
    return "past_key_" + layer;
  }

  static String pastValue(int layer) {
    return "past_value_" + layer;
  }

  static String newKey(int layer) {
    return "new_key_" + layer;
  }

  static String newValue(int layer) {
    return "new_value_" + layer;
  }

  /**
   * Reads the model's metadata and checks its inputs and outputs against it.
   *
   * @param model the name used in messages (the file name)
   */
  static ModelInfo validate(String model, OrtSession session)
      throws ModelContractException, OrtException {
    ModelInfo info = readInfo(model, session.getMetadata().getCustomMetadata());
    int layers = info.numLayers();
    TensorChecks.checkNames(model, "input", inputNames(layers), session.getInputNames());
    TensorChecks.checkNames(model, "output", outputNames(layers), session.getOutputNames());

    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    Dim batch = Dim.batch("batch");
    Dim seq = Dim.symbolic("seq");
    Dim past = Dim.symbolic("past");
    Dim kvHeads = Dim.fixed(info.numKvHeads());
    Dim headSize = Dim.fixed(info.headSize());
    TensorChecks.checkTensor(model, in.get("input_ids"), OnnxJavaType.INT64, batch, seq);
    TensorChecks.checkTensor(model, in.get("position_ids"), OnnxJavaType.INT64, batch, seq);
    TensorChecks.checkTensor(
        model,
        in.get("attention_mask"),
        OnnxJavaType.FLOAT,
        batch,
        Dim.fixed(1),
        seq,
        Dim.symbolic("total"));
    TensorChecks.checkTensor(
        model, out.get("logits"), OnnxJavaType.FLOAT, batch, seq, Dim.fixed(info.vocabSize()));
    TensorChecks.checkTensor(
        model,
        out.get("hidden_states"),
        OnnxJavaType.FLOAT,
        batch,
        seq,
        Dim.fixed(info.hiddenSize()));
    for (int i = 0; i < layers; i++) {
      for (String name : List.of(pastKey(i), pastValue(i))) {
        TensorChecks.checkTensor(
            model, in.get(name), OnnxJavaType.FLOAT, batch, past, kvHeads, headSize);
      }
      for (String name : List.of(newKey(i), newValue(i))) {
        TensorChecks.checkTensor(
            model, out.get(name), OnnxJavaType.FLOAT, batch, seq, kvHeads, headSize);
      }
    }
    return info;
  }

  static ModelInfo readInfo(String model, Map<String, String> metadata)
      throws ModelContractException {
    requireMetadataKeys(
        "model " + model, metadata, METADATA_KEYS, "not exported for the specdec model contract?");
    int contract = contractVersion("model " + model, model, metadata);
    try {
      return new ModelInfo(
          metadata.get("specdec.name"),
          contract,
          intValue(model, metadata, "specdec.num_layers"),
          intValue(model, metadata, "specdec.num_heads"),
          intValue(model, metadata, "specdec.num_kv_heads"),
          intValue(model, metadata, "specdec.head_size"),
          intValue(model, metadata, "specdec.hidden_size"),
          intValue(model, metadata, "specdec.vocab_size"),
          intValue(model, metadata, "specdec.max_positions"),
          intValue(model, metadata, "specdec.bos_token_id"),
          intValue(model, metadata, "specdec.eos_token_id"));
    } catch (IllegalArgumentException e) {
      throw new ModelContractException("model " + model + ": invalid metadata: " + e.getMessage());
    }
  }

  /**
   * Checks that {@code metadata} holds every one of {@code keys}.
   *
   * @param subject what the model is, for messages: "model NAME", "MTP module NAME"
   * @param hint why a key may be missing, in the message's parentheses
   */
  static void requireMetadataKeys(
      String subject, Map<String, String> metadata, List<String> keys, String hint)
      throws ModelContractException {
    for (String key : keys) {
      if (!metadata.containsKey(key)) {
        throw new ModelContractException(
            subject
                + ": metadata key '"
                + key
                + "' missing ("
                + hint
                + "); expected keys "
                + keys
                + ", found "
                + new TreeSet<>(metadata.keySet()));
      }
    }
  }

  /**
   * The {@link #CONTRACT} version in {@code metadata}, which must be {@link #VERSION}.
   *
   * @param subject what the model is, for messages: "model NAME", "MTP module NAME"
   * @param model the file name, for the message of an unreadable value
   */
  static int contractVersion(String subject, String model, Map<String, String> metadata)
      throws ModelContractException {
    int contract = intValue(model, metadata, CONTRACT);
    if (contract != VERSION) {
      throw new ModelContractException(
          subject + ": contract version " + contract + " is not supported; expected " + VERSION);
    }
    return contract;
  }

  static int intValue(String model, Map<String, String> metadata, String key)
      throws ModelContractException {
    String text = metadata.get(key);
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new ModelContractException(
          "model " + model + ": metadata '" + key + "' must be an integer, found '" + text + "'");
    }
  }
}
