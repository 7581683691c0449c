package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.ModelInfo;
import dev.specdec.runtime.TensorChecks.Dim;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face Optimum's decoder layout, checked once when a model is loaded.
 *
 * <p>Inputs: {@code input_ids} int64 [batch, seq], {@code attention_mask} int64 [batch, past + seq]
 * (1 = attend; the model adds the causal mask itself), {@code position_ids} int64 [batch, seq], per
 * layer {@code past_key_values.{i}.key} / {@code .value} float32 [batch, Hkv, past, D] (head-major)
 * and, in merged exports, {@code use_cache_branch} bool [1]. Outputs: {@code logits} float32
 * [batch, seq, V] and per layer {@code present.{i}.key} / {@code .value} float32 [batch, Hkv, past
 * + seq, D]: the whole cache, past followed by new. Other outputs are ignored. Sizes, context
 * length and special tokens come from {@code config.json} / {@code generation_config.json} beside
 * the model and must agree with the declared shapes.
 */
final class OptimumLayout {
  static final String USE_CACHE_BRANCH = "use_cache_branch";

  private OptimumLayout() {}

  /**
   * A validated Optimum-layout model.
   *
   * @param info sizes and special tokens from its config files
   * @param useCacheBranch whether it takes the merged export's {@code use_cache_branch} input
   */
  record Validated(ModelInfo info, boolean useCacheBranch) {}

  static String pastKey(int layer) {
    return "past_key_values." + layer + ".key";
  }

  static String pastValue(int layer) {
    return "past_key_values." + layer + ".value";
  }

  static String presentKey(int layer) {
    return "present." + layer + ".key";
  }

  static String presentValue(int layer) {
    return "present." + layer + ".value";
  }

  /** True when the names say "Optimum": a {@code past_key_values.*} input or {@code present.*}. */
  static boolean looksLike(OrtSession session) throws OrtException {
    return session.getInputNames().stream().anyMatch(n -> n.startsWith("past_key_values."))
        || session.getOutputNames().stream().anyMatch(n -> n.startsWith("present."));
  }

  /** Expected input names for {@code layers} layers (without the optional use_cache_branch). */
  static List<String> inputNames(int layers) {
    List<String> names = new ArrayList<>(List.of("input_ids", "attention_mask", "position_ids"));
    for (int i = 0; i < layers; i++) {
      names.add(pastKey(i));
      names.add(pastValue(i));
    }
    return names;
  }

  /**
   * Checks the session against the layout and its config files in {@code dir}.
   *
   * @param model the name used in messages (the file name)
   * @throws java.nio.file.NoSuchFileException when {@code config.json} is missing
   */
  static Validated validate(String model, OrtSession session, Path dir)
      throws IOException, ModelContractException, OrtException {
    HfModelConfig config = HfModelConfig.read(model, dir);
    ModelInfo info;
    try {
      info = config.toModelInfo();
    } catch (IllegalArgumentException e) {
      throw new ModelContractException(
          "model " + model + ": invalid " + config.source() + ": " + e.getMessage());
    }
    int layers = info.numLayers();
    List<String> inputs = inputNames(layers);
    boolean useCacheBranch = session.getInputNames().contains(USE_CACHE_BRANCH);
    if (useCacheBranch) {
      inputs.add(USE_CACHE_BRANCH);
    }
    TensorChecks.checkNames(model, "input", inputs, session.getInputNames());
    List<String> outputs = new ArrayList<>(List.of("logits"));
    for (int i = 0; i < layers; i++) {
      outputs.add(presentKey(i));
      outputs.add(presentValue(i));
    }
    for (String name : outputs) {
      if (!session.getOutputNames().contains(name)) {
        throw new ModelContractException(
            "model "
                + model
                + ": output '"
                + name
                + "' missing ("
                + config.source().getFileName()
                + " says "
                + layers
                + " layers); expected outputs "
                + outputs
                + ", found "
                + List.copyOf(session.getOutputNames()));
      }
    }

    Map<String, NodeInfo> in = session.getInputInfo();
    Map<String, NodeInfo> out = session.getOutputInfo();
    Dim batch = Dim.batch("batch_size");
    Dim seq = Dim.symbolic("sequence_length");
    Dim past = Dim.symbolic("past_sequence_length");
    Dim total = Dim.symbolic("past_sequence_length + sequence_length");
    Dim kvHeads = Dim.fixed(info.numKvHeads());
    Dim headSize = Dim.fixed(info.headSize());
    TensorChecks.checkTensor(model, in.get("input_ids"), OnnxJavaType.INT64, batch, seq);
    TensorChecks.checkTensor(model, in.get("attention_mask"), OnnxJavaType.INT64, batch, total);
    TensorChecks.checkTensor(model, in.get("position_ids"), OnnxJavaType.INT64, batch, seq);
    if (useCacheBranch) {
      TensorChecks.checkTensor(model, in.get(USE_CACHE_BRANCH), OnnxJavaType.BOOL, Dim.fixed(1));
    }
    TensorChecks.checkTensor(
        model, out.get("logits"), OnnxJavaType.FLOAT, batch, seq, Dim.fixed(info.vocabSize()));
    for (int i = 0; i < layers; i++) {
      for (String name : List.of(pastKey(i), pastValue(i))) {
        TensorChecks.checkTensor(
            model, in.get(name), OnnxJavaType.FLOAT, batch, kvHeads, past, headSize);
      }
      for (String name : List.of(presentKey(i), presentValue(i))) {
        TensorChecks.checkTensor(
            model, out.get(name), OnnxJavaType.FLOAT, batch, kvHeads, total, headSize);
      }
    }
    return new Validated(info, useCacheBranch);
  }
}
