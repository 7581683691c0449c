package dev.specdec.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** Tells which {@link ModelLayout} a loaded session claims, before that layout's full check. */
final class LayoutDetector {
  private LayoutDetector() {}

  /**
   * The layout the model's names or metadata claim: Optimum when it has {@code past_key_values.*}
   * inputs or {@code present.*} outputs; the specdec contract when it has {@code specdec.*}
   * metadata or {@code past_key_0}; otherwise an error listing what was found and both layouts.
   */
  static ModelLayout detect(String model, OrtSession session)
      throws ModelContractException, OrtException {
    if (OptimumLayout.looksLike(session)) {
      return ModelLayout.OPTIMUM;
    }
    boolean specdecMetadata =
        session.getMetadata().getCustomMetadata().keySet().stream()
            .anyMatch(k -> k.startsWith("specdec."));
    if (specdecMetadata || session.getInputNames().contains(ModelContract.pastKey(0))) {
      return ModelLayout.SPECDEC_V1;
    }
    throw new ModelContractException(
        "model "
            + model
            + ": unsupported layout: inputs "
            + TensorChecks.describeAll(session.getInputInfo())
            + ", outputs "
            + TensorChecks.describeAll(session.getOutputInfo())
            + "; expected either the specdec contract v1 (inputs "
            + ModelContract.inputNames(1).toString().replace("_0", "_{i}")
            + " with an additive attention_mask float32 [batch, 1, seq, total], specdec.* metadata;"
            + " docs/model-contract.md) or the Hugging Face Optimum decoder layout (inputs "
            + OptimumLayout.inputNames(1).toString().replace(".0.", ".{i}.")
            + " with a KV cache [batch, Hkv, past, D], outputs logits and present.{i}.key/.value,"
            + " config.json beside the model): export with the KV cache (Optimum: --task"
            + " text-generation-with-past) or convert with tools/import_hf_llama.py");
  }
}
