package dev.specdec.runtime;

import ai.onnxruntime.OrtException;
import dev.specdec.model.CausalLm;
import dev.specdec.model.InferenceException;
import dev.specdec.model.NumericalException;
import dev.specdec.tree.TokenTree;
import java.nio.FloatBuffer;

/**
 * The checks before and after a pass that every {@link CausalLm} over ONNX Runtime makes, in one
 * wording: room in the cache, tokens inside the vocabulary, finite logits, and the context a failed
 * run is reported with ("pass N (T=t, past=p)").
 */
final class PassChecks {
  private PassChecks() {}

  /** Checks that a pass of {@code t} nodes after {@code p} cached rows fits {@code capacity}. */
  static void requireRoom(String label, int p, int t, int capacity) {
    if (p + t > capacity) {
      throw new IllegalArgumentException(
          label
              + ": cacheLength ("
              + p
              + ") + T ("
              + t
              + ") exceeds the cache capacity ("
              + capacity
              + ")");
    }
  }

  /** Checks that every node's token is below {@code vocabSize}. */
  static void requireTokensInVocabulary(String label, TokenTree tree, int vocabSize) {
    for (int i = 0; i < tree.size(); i++) {
      int token = tree.token(i);
      if (token >= vocabSize) {
        throw new IllegalArgumentException(
            label
                + ": token "
                + token
                + " of node "
                + i
                + " is outside the vocabulary [0, "
                + vocabSize
                + ")");
      }
    }
  }

  /**
   * Checks that the first {@code t} rows of {@code logits} ({@code t x vocabSize}) are finite: a
   * NaN or infinity means broken weights or mistyped inputs, never a token to sample.
   */
  static void requireFiniteLogits(
      String label, long pass, int t, int p, FloatBuffer logits, int vocabSize) {
    for (int r = 0; r < t; r++) {
      int base = r * vocabSize;
      for (int j = 0; j < vocabSize; j++) {
        float x = logits.get(base + j);
        if (!Float.isFinite(x)) {
          throw new NumericalException(
              label
                  + ": pass "
                  + pass
                  + " (T="
                  + t
                  + ", past="
                  + p
                  + "): logits row "
                  + r
                  + " contains "
                  + x
                  + " at token "
                  + j
                  + " (check the model's weights and its inputs' dtypes)");
        }
      }
    }
  }

  /**
   * Wraps a failed {@code session.run} with where it failed: the model, the position of the pass's
   * first token ({@code p}, the cached rows before it), the pass, ONNX Runtime's reason without its
   * C++ trappings, and the likely cause when the reason is an index out of bounds.
   *
   * @param declaredPositions the context length the model's metadata declares
   */
  static InferenceException runFailed(
      String label, long pass, int t, int p, int declaredPositions, OrtException e) {
    String reason = OrtMessages.clean(e.getMessage());
    String hint =
        reason.contains("out of data bounds") || reason.contains("out of bounds")
            ? "; a table inside the model (rotary or position embeddings) is probably shorter"
                + " than the "
                + declaredPositions
                + " positions its metadata declares (specdec.max_positions): re-export it, or"
                + " declare the table's length"
            : "";
    return new InferenceException(
        label
            + " failed at position "
            + p
            + " (pass "
            + pass
            + ", "
            + t
            + (t == 1 ? " token" : " tokens")
            + "): "
            + reason
            + hint,
        e);
  }
}
