package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
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
    checkNames(model, "input", inputNames(layers), session.getInputNames());
    checkNames(model, "output", outputNames(layers), session.getOutputNames());

    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    Dim batch = Dim.symbolic("batch");
    Dim seq = Dim.symbolic("seq");
    Dim past = Dim.symbolic("past");
    Dim kvHeads = Dim.fixed(info.numKvHeads());
    Dim headSize = Dim.fixed(info.headSize());
    checkTensor(model, in.get("input_ids"), OnnxJavaType.INT64, batch, seq);
    checkTensor(model, in.get("position_ids"), OnnxJavaType.INT64, batch, seq);
    checkTensor(
        model,
        in.get("attention_mask"),
        OnnxJavaType.FLOAT,
        batch,
        Dim.fixed(1),
        seq,
        Dim.symbolic("total"));
    checkTensor(
        model, out.get("logits"), OnnxJavaType.FLOAT, batch, seq, Dim.fixed(info.vocabSize()));
    checkTensor(
        model,
        out.get("hidden_states"),
        OnnxJavaType.FLOAT,
        batch,
        seq,
        Dim.fixed(info.hiddenSize()));
    for (int i = 0; i < layers; i++) {
      for (String name : List.of(pastKey(i), pastValue(i))) {
        checkTensor(model, in.get(name), OnnxJavaType.FLOAT, batch, past, kvHeads, headSize);
      }
      for (String name : List.of(newKey(i), newValue(i))) {
        checkTensor(model, out.get(name), OnnxJavaType.FLOAT, batch, seq, kvHeads, headSize);
      }
    }
    return info;
  }

  static ModelInfo readInfo(String model, Map<String, String> metadata)
      throws ModelContractException {
    for (String key : METADATA_KEYS) {
      if (!metadata.containsKey(key)) {
        throw new ModelContractException(
            "model "
                + model
                + ": metadata key '"
                + key
                + "' missing (not exported for the specdec model contract?); expected keys "
                + METADATA_KEYS
                + ", found "
                + new TreeSet<>(metadata.keySet()));
      }
    }
    int contract = intValue(model, metadata, CONTRACT);
    if (contract != VERSION) {
      throw new ModelContractException(
          "model "
              + model
              + ": contract version "
              + contract
              + " is not supported; expected "
              + VERSION);
    }
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

  static void checkNames(String model, String kind, List<String> expected, Set<String> found)
      throws ModelContractException {
    for (String name : expected) {
      if (!found.contains(name)) {
        throw new ModelContractException(
            "model "
                + model
                + ": "
                + kind
                + " '"
                + name
                + "' missing; expected "
                + kind
                + "s "
                + expected
                + ", found "
                + List.copyOf(found));
      }
    }
    for (String name : found) {
      if (!expected.contains(name)) {
        throw new ModelContractException(
            "model "
                + model
                + ": unexpected "
                + kind
                + " '"
                + name
                + "'; expected "
                + kind
                + "s "
                + expected
                + ", found "
                + List.copyOf(found));
      }
    }
  }

  static void checkTensor(String model, NodeInfo node, OnnxJavaType type, Dim... dims)
      throws ModelContractException {
    String expected = typeName(type) + " " + render(dims);
    if (!(node.getInfo() instanceof TensorInfo tensor)) {
      throw mismatch(model, expected, node, String.valueOf(node.getInfo()));
    }
    long[] shape = tensor.getShape();
    boolean matches = tensor.type == type && shape.length == dims.length;
    for (int i = 0; matches && i < dims.length; i++) {
      matches = dims[i].accepts(shape[i]);
    }
    if (!matches) {
      throw mismatch(
          model,
          expected,
          node,
          typeName(tensor.type) + " " + render(shape, tensor.getDimensionNames()));
    }
  }

  private static ModelContractException mismatch(
      String model, String expected, NodeInfo node, String found) {
    return new ModelContractException(
        "model "
            + model
            + ": expected "
            + expected
            + " for "
            + node.getName()
            + ", found "
            + found);
  }

  private static String typeName(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case INT64 -> "int64";
      case INT32 -> "int32";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String render(Dim[] dims) {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (Dim d : dims) {
      joiner.add(d.name() != null ? d.name() : Long.toString(d.size()));
    }
    return joiner.toString();
  }

  private static String render(long[] shape, String[] names) {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0) {
        joiner.add(Long.toString(shape[i]));
      } else {
        String name = names != null && i < names.length ? names[i] : "";
        joiner.add(name == null || name.isEmpty() ? "?" : name);
      }
    }
    return joiner.toString();
  }

  /** One expected axis: a symbolic (dynamic) size with a name, or a fixed size. */
  record Dim(String name, long size) {
    static Dim symbolic(String name) {
      return new Dim(name, -1);
    }

    static Dim fixed(long size) {
      return new Dim(null, size);
    }

    boolean accepts(long declared) {
      if (name == null) {
        return declared == size;
      }
      // batch may be fixed at 1 (we always run batch 1); the other symbolic axes must be dynamic
      return declared < 0 || (name.equals("batch") && declared == 1);
    }
  }
}
