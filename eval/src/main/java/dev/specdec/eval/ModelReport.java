package dev.specdec.eval;

import dev.specdec.model.ModelInfo;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelInspection;
import dev.specdec.runtime.Quantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code specdec inspect} shows about a path: a model file, a model directory (e.g. an Optimum
 * export with its {@code config.json}) or a bundle; each model's inputs, outputs, detected layout,
 * sizes and special tokens; and which drafters and acceptance rules specdec can use with it.
 *
 * @param path the path inspected
 * @param kind what the path is
 * @param models each model by role ({@code target}, {@code draft}), in that order
 * @param tokenizer the tokenizer found with it, if any
 * @param drafters each drafter with whether it can be used and why (not)
 * @param rules each acceptance rule likewise
 * @param bundleQuantization a bundle's {@code quantization} from its manifest, by model key; empty
 *     for a model file or directory, or a bundle of float models
 */
public record ModelReport(
    Path path,
    Kind kind,
    Map<String, ModelInspection> models,
    Optional<Path> tokenizer,
    List<Usability> drafters,
    List<Usability> rules,
    Map<String, Quantization> bundleQuantization) {

  /** Copies the collections. */
  public ModelReport {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
    Objects.requireNonNull(tokenizer, "tokenizer");
    drafters = List.copyOf(drafters);
    rules = List.copyOf(rules);
    bundleQuantization =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bundleQuantization));
  }

  /** What an inspected path is. */
  public enum Kind {
    /** An ONNX file. */
    MODEL_FILE,
    /** A directory holding an ONNX decoder (and maybe config.json, tokenizer.json). */
    MODEL_DIRECTORY,
    /** A specdec bundle: a directory with {@code specdec.json}. */
    BUNDLE
  }

  /**
   * Whether a drafter or acceptance rule can be used, and a note saying how or why not.
   *
   * @param name the name used on the command line
   * @param usable whether specdec can use it with these models
   * @param note how it runs, or what it would need
   */
  public record Usability(String name, boolean usable, String note) {
    /** Validates presence. */
    public Usability {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(note, "note");
    }
  }

  /**
   * Inspects {@code path} with {@code engine} (which loads nothing permanently).
   *
   * @throws NoSuchFileException when the path does not exist or a directory holds no model
   * @throws BundleException when a {@code specdec.json} is present but malformed
   * @throws IOException when ONNX Runtime cannot parse a model file
   */
  public static ModelReport inspect(Engine engine, Path path) throws IOException, BundleException {
    Map<String, ModelInspection> models = new LinkedHashMap<>();
    Optional<Path> tokenizer;
    Kind kind;
    boolean medusa = false;
    boolean mtp = false;
    Map<String, Quantization> quantization = Map.of();
    if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(ModelBundle.MANIFEST))) {
      kind = Kind.BUNDLE;
      ModelBundle bundle = ModelBundle.load(path);
      models.put("target", engine.inspect(bundle.target()));
      if (bundle.draft().isPresent()) {
        models.put("draft", engine.inspect(bundle.draft().get()));
      }
      tokenizer = Optional.of(bundle.tokenizer());
      medusa = bundle.medusa().isPresent();
      mtp = bundle.mtp().isPresent();
      quantization = bundle.quantization();
    } else {
      kind = Files.isDirectory(path) ? Kind.MODEL_DIRECTORY : Kind.MODEL_FILE;
      ModelInspection target = engine.inspect(path);
      models.put("target", target);
      Path besides = target.file().toAbsolutePath().getParent().resolve("tokenizer.json");
      tokenizer = Files.isRegularFile(besides) ? Optional.of(besides) : Optional.empty();
    }
    ModelInspection target = models.get("target");
    Optional<ModelInspection> draft = Optional.ofNullable(models.get("draft"));
    return new ModelReport(
        path,
        kind,
        models,
        tokenizer,
        drafters(target, draft, medusa, mtp),
        rules(target),
        quantization);
  }

  private static List<Usability> drafters(
      ModelInspection target, Optional<ModelInspection> draft, boolean medusa, boolean mtp) {
    List<Usability> out = new ArrayList<>();
    if (!target.usable()) {
      for (String name : List.of("none", "draft", "lookup", "lookup+draft", "medusa", "mtp")) {
        out.add(new Usability(name, false, "the target cannot be run (see its problem)"));
      }
      return out;
    }
    boolean trees = target.supportsTreeMasks();
    out.add(new Usability("none", true, "plain decoding, one target pass per token"));
    Optional<String> draftProblem = draftProblem(target, draft);
    String chain = "drafts a chain of up to k tokens per pass";
    out.add(new Usability("draft", draftProblem.isEmpty(), draftProblem.orElse(chain)));
    out.add(
        new Usability(
            "lookup",
            true,
            trees
                ? "prompt lookup; several branches are verified as one tree"
                : "prompt lookup; the target takes a 2-D mask, so each trie is verified along its"
                    + " first branch only"));
    out.add(
        new Usability(
            "lookup+draft",
            draftProblem.isEmpty(),
            draftProblem.orElse("lookup when it matches, else the draft model")));
    String heads =
        target.hasHiddenStates()
            ? "needs the bundle's \"%s\" heads"
            : "needs a target with a hidden_states output (specdec contract; import the checkpoint"
                + " with tools/) and the bundle's \"%s\" heads";
    out.add(
        new Usability(
            "medusa",
            target.hasHiddenStates() && medusa,
            target.hasHiddenStates() && medusa
                ? "Medusa heads over the target's hidden states"
                : heads.formatted("medusa")));
    out.add(
        new Usability(
            "mtp",
            target.hasHiddenStates() && mtp,
            target.hasHiddenStates() && mtp
                ? "MTP heads over the target's hidden states"
                : heads.formatted("mtp")));
    return out;
  }

  private static Optional<String> draftProblem(
      ModelInspection target, Optional<ModelInspection> draft) {
    if (draft.isEmpty()) {
      return Optional.of(
          "needs a draft model: a bundle's \"draft\", or Drafter.draftModel(...) in Java");
    }
    if (!draft.get().usable()) {
      return Optional.of("the draft model cannot be run: " + draft.get().problem().orElseThrow());
    }
    ModelInfo t = target.info().orElseThrow();
    ModelInfo d = draft.get().info().orElseThrow();
    if (t.vocabSize() != d.vocabSize()) {
      return Optional.of(
          "draft vocabulary " + d.vocabSize() + " differs from the target's " + t.vocabSize());
    }
    return Optional.empty();
  }

  private static List<Usability> rules(ModelInspection target) {
    boolean ok = target.usable();
    String chains = target.supportsTreeMasks() ? "trees and chains" : "chains";
    return List.of(
        new Usability("greedy", ok, "temperature 0: output identical to plain greedy decoding"),
        new Usability("rejection", ok, "any temperature: exact rejection sampling over " + chains),
        new Usability("typical", ok, "typical acceptance (Medusa), approximate, over " + chains));
  }

  /** The report as the plain text {@code specdec inspect} prints. */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(path).append(": ").append(kindName()).append('\n');
    models.forEach((role, m) -> renderModel(b, role, m));
    if (!bundleQuantization.isEmpty()) {
      b.append("quantization (").append(ModelBundle.MANIFEST).append("):\n");
      bundleQuantization.forEach(
          (role, q) -> b.append("  ").append(role).append(": ").append(q.describe()).append('\n'));
    }
    b.append("tokenizer: ")
        .append(tokenizer.map(Path::toString).orElse("none found (tokenizer.json)"))
        .append('\n');
    b.append("drafters:\n");
    drafters.forEach(u -> renderUsability(b, u));
    b.append("acceptance rules:\n");
    rules.forEach(u -> renderUsability(b, u));
    return b.toString();
  }

  private String kindName() {
    return switch (kind) {
      case MODEL_FILE -> "ONNX model file";
      case MODEL_DIRECTORY -> "model directory";
      case BUNDLE -> "specdec bundle";
    };
  }

  private static void renderModel(StringBuilder b, String role, ModelInspection m) {
    b.append(role)
        .append(": ")
        .append(m.file())
        .append(" (")
        .append(m.fileBytes())
        .append(" bytes)\n");
    b.append("  layout: ")
        .append(m.layout().map(l -> l.description()).orElse("not recognized"))
        .append(m.usable() ? "" : " - cannot be run")
        .append('\n');
    m.problem().ifPresent(p -> b.append("  problem: ").append(p).append('\n'));
    b.append("  weights: ").append(weights(m)).append('\n');
    m.info()
        .ifPresent(
            i ->
                b.append("  name: ")
                    .append(i.name())
                    .append("\n  sizes: ")
                    .append(i.numLayers())
                    .append(" layers, ")
                    .append(i.numHeads())
                    .append(" heads (")
                    .append(i.numKvHeads())
                    .append(" kv), head size ")
                    .append(i.headSize())
                    .append(", hidden ")
                    .append(i.hiddenSize())
                    .append(", vocabulary ")
                    .append(i.vocabSize())
                    .append(", context ")
                    .append(i.maxPositions())
                    .append("\n  special tokens: bos ")
                    .append(i.bosTokenId())
                    .append(", eos ")
                    .append(i.eosTokenId())
                    .append("\n  tree masks: ")
                    .append(m.supportsTreeMasks() ? "yes" : "no (chains only)")
                    .append(", hidden_states: ")
                    .append(m.hasHiddenStates() ? "yes" : "no")
                    .append('\n'));
    b.append("  inputs:\n");
    m.inputs().forEach(s -> b.append("    ").append(s).append('\n'));
    b.append("  outputs:\n");
    m.outputs().forEach(s -> b.append("    ").append(s).append('\n'));
  }

  /** What the model's own metadata says about its weights. */
  private static String weights(ModelInspection m) {
    try {
      return Quantization.fromMetadata(m.metadata())
          .map(q -> "quantized, " + q.describe() + ", MatMulNBits")
          .orElse("not quantized by specdec (" + Quantization.METADATA_KEY + " absent)");
    } catch (IllegalArgumentException e) {
      return "unreadable quantization metadata: " + e.getMessage();
    }
  }

  private static void renderUsability(StringBuilder b, Usability u) {
    b.append("  ")
        .append(u.name())
        .append(": ")
        .append(u.usable() ? "yes" : "no")
        .append(" - ")
        .append(u.note())
        .append('\n');
  }
}
