package dev.specdec.runtime;

import dev.specdec.model.ModelInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one ONNX file declares and whether specdec can run it: see {@link Engine#inspect(Path)}.
 *
 * @param file the model file
 * @param fileBytes its size in bytes
 * @param inputs each input as {@code name: type [dims]}, in the model's order
 * @param outputs each output likewise
 * @param metadata the model's custom metadata ({@code metadata_props})
 * @param layout the layout detected, when the names or metadata claim one
 * @param info sizes and special tokens, when the model passed its layout's checks
 * @param problem why specdec cannot run it (the load error's message), when it cannot
 * @param hasHiddenStates whether it outputs {@code hidden_states} (what Medusa / MTP heads read)
 */
public record ModelInspection(
    Path file,
    long fileBytes,
    List<String> inputs,
    List<String> outputs,
    Map<String, String> metadata,
    Optional<ModelLayout> layout,
    Optional<ModelInfo> info,
    Optional<String> problem,
    boolean hasHiddenStates) {

  /** Copies the lists and map; a model specdec can run has info and no problem, and vice versa. */
  public ModelInspection {
    Objects.requireNonNull(file, "file");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(problem, "problem");
    if (info.isPresent() == problem.isPresent()) {
      throw new IllegalArgumentException(
          "exactly one of info and problem must be present, was info "
              + info
              + ", problem "
              + problem);
    }
  }

  /** True when specdec can load and run the model. */
  public boolean usable() {
    return info.isPresent();
  }

  /** Whether one pass can verify a tree: true only for a usable model whose layout takes trees. */
  public boolean supportsTreeMasks() {
    return usable() && layout.map(ModelLayout::supportsTreeMasks).orElse(false);
  }
}
