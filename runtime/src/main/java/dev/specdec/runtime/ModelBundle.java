package dev.specdec.runtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model bundle: a directory with a {@code specdec.json} manifest naming a tokenizer, a target
 * model, optionally a draft model (and Medusa / MTP heads), and recommended generation settings.
 *
 * <pre>{@code
 * {"format": "specdec-bundle/1", "name": "test-tiny", "description": "...",
 *  "tokenizer": "tokenizer.json", "target": "target.onnx", "draft": "draft.onnx",
 *  "generation": {"maxNewTokens": 64, "temperature": 0.0, "topK": 0, "topP": 1.0,
 *                 "draftTokens": 4},
 *  "quantization": {"target": {"bits": 4, "block": 32, "accuracyLevel": 4}}}
 * }</pre>
 *
 * <p>{@code quantization} (written by {@code specdec quantize}) says which models' weights are
 * quantized and how; it informs reports, the models themselves carry their quantized weights.
 *
 * <p>Every path in the manifest is relative to the bundle directory and must stay inside it. The
 * paths of this record are absolute and normalized, and the files existed when it was loaded.
 *
 * @param root the bundle directory (absolute)
 * @param name the bundle's name; the directory name when the manifest gives none
 * @param description free text; empty when the manifest gives none
 * @param tokenizer the Hugging Face {@code tokenizer.json}
 * @param target the target model
 * @param draft the draft model, if the bundle has one
 * @param generation the recommended generation settings
 * @param medusa Medusa heads, if the bundle has them
 * @param mtp multi-token-prediction heads, if the bundle has them
 * @param quantization how each quantized model is quantized, by manifest key ({@code target},
 *     {@code draft}, {@code medusa}, {@code mtp}); empty for a bundle of float models
 */
public record ModelBundle(
    Path root,
    String name,
    String description,
    Path tokenizer,
    Path target,
    Optional<Path> draft,
    GenerationDefaults generation,
    Optional<Path> medusa,
    Optional<Path> mtp,
    Map<String, Quantization> quantization) {

  /** The manifest's file name. */
  public static final String MANIFEST = "specdec.json";

  /** The manifest format this version reads. */
  public static final String FORMAT = "specdec-bundle/1";

  private static final List<String> KEYS =
      List.of(
          "format",
          "name",
          "description",
          "tokenizer",
          "target",
          "draft",
          "medusa",
          "mtp",
          "generation",
          "quantization");
  private static final List<String> MODEL_KEYS = List.of("target", "draft", "medusa", "mtp");
  private static final List<String> GENERATION_KEYS =
      List.of("maxNewTokens", "temperature", "topK", "topP", "draftTokens");

  /** Checks that no component is null; copies the quantization map. */
  public ModelBundle {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(draft, "draft");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(medusa, "medusa");
    Objects.requireNonNull(mtp, "mtp");
    quantization = Collections.unmodifiableMap(new LinkedHashMap<>(quantization));
  }

  /** A bundle of float models: no {@code quantization}. */
  public ModelBundle(
      Path root,
      String name,
      String description,
      Path tokenizer,
      Path target,
      Optional<Path> draft,
      GenerationDefaults generation,
      Optional<Path> medusa,
      Optional<Path> mtp) {
    this(root, name, description, tokenizer, target, draft, generation, medusa, mtp, Map.of());
  }

  /**
   * Reads and checks the bundle in {@code dir}.
   *
   * @throws BundleException when the directory or manifest is missing, the manifest is malformed, a
   *     path leaves the bundle, or a named file does not exist
   */
  public static ModelBundle load(Path dir) throws BundleException {
    Path root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new BundleException("bundle directory does not exist: " + root);
    }
    Path manifest = root.resolve(MANIFEST);
    if (!Files.isRegularFile(manifest)) {
      throw new BundleException("no " + MANIFEST + " in " + root);
    }
    JsonObject json;
    try {
      JsonElement parsed = JsonParser.parseString(Files.readString(manifest));
      if (!parsed.isJsonObject()) {
        throw new BundleException(MANIFEST + " in " + root + " must hold a JSON object");
      }
      json = parsed.getAsJsonObject();
    } catch (IOException e) {
      throw new BundleException("cannot read " + manifest + ": " + e.getMessage(), e);
    } catch (JsonParseException e) {
      throw new BundleException(
          MANIFEST + " in " + root + " is not valid JSON: " + JsonErrors.describe(e), e);
    }
    requireKnownKeys(json, KEYS, "");
    String format = string(json, "format").orElse(null);
    if (!FORMAT.equals(format)) {
      throw new BundleException(
          MANIFEST
              + ": "
              + (format == null ? "'format' is missing" : "unsupported format '" + format + "'")
              + "; expected '"
              + FORMAT
              + "'");
    }
    String name = string(json, "name").orElse(String.valueOf(root.getFileName()));
    String description = string(json, "description").orElse("");
    Path tokenizer = file(root, json, "tokenizer").orElseThrow(() -> missing("tokenizer"));
    Path target = file(root, json, "target").orElseThrow(() -> missing("target"));
    Optional<Path> draft = file(root, json, "draft");
    Optional<Path> medusa = file(root, json, "medusa");
    Optional<Path> mtp = file(root, json, "mtp");
    GenerationDefaults generation = generation(json.get("generation"));
    Map<String, Quantization> quantization = quantization(json);
    return new ModelBundle(
        root, name, description, tokenizer, target, draft, generation, medusa, mtp, quantization);
  }

  /**
   * {@code quantization}: per model key present in the manifest, bits, block and accuracy level.
   */
  private static Map<String, Quantization> quantization(JsonObject json) throws BundleException {
    JsonElement value = json.get("quantization");
    if (value == null || value.isJsonNull()) {
      return Map.of();
    }
    if (!value.isJsonObject()) {
      throw new BundleException(MANIFEST + ": 'quantization' must be an object, found " + value);
    }
    Map<String, Quantization> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
      String role = e.getKey();
      String where = "quantization." + role;
      if (!MODEL_KEYS.contains(role) || json.get(role) == null || json.get(role).isJsonNull()) {
        throw new BundleException(
            MANIFEST
                + ": '"
                + where
                + "' names no model of this bundle; expected one of "
                + MODEL_KEYS.stream().filter(k -> json.get(k) != null).toList());
      }
      if (!e.getValue().isJsonObject()) {
        throw new BundleException(
            MANIFEST + ": '" + where + "' must be an object, found " + e.getValue());
      }
      JsonObject q = e.getValue().getAsJsonObject();
      requireKnownKeys(q, Quantization.KEYS, where + ".");
      for (String key : Quantization.KEYS) {
        if (q.get(key) == null) {
          throw new BundleException(MANIFEST + ": '" + where + "." + key + "' is missing");
        }
      }
      try {
        out.put(
            role,
            new Quantization(
                integer(q, "bits", 0, where),
                integer(q, "block", 0, where),
                integer(q, "accuracyLevel", 0, where)));
      } catch (IllegalArgumentException ex) {
        throw new BundleException(MANIFEST + ": " + where + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  private static BundleException missing(String key) {
    return new BundleException(MANIFEST + ": '" + key + "' is missing");
  }

  private static void requireKnownKeys(JsonObject json, List<String> known, String prefix)
      throws BundleException {
    for (String key : json.keySet()) {
      if (!known.contains(key)) {
        throw new BundleException(
            MANIFEST + ": unknown key '" + prefix + key + "'; expected one of " + known);
      }
    }
  }

  private static Optional<String> string(JsonObject json, String key) throws BundleException {
    JsonElement value = json.get(key);
    if (value == null || value.isJsonNull()) {
      return Optional.empty();
    }
    if (!(value instanceof JsonPrimitive p) || !p.isString()) {
      throw new BundleException(MANIFEST + ": '" + key + "' must be a string, found " + value);
    }
    return Optional.of(p.getAsString());
  }

  /** The file a manifest key names, checked to lie inside the bundle and to exist. */
  private static Optional<Path> file(Path root, JsonObject json, String key)
      throws BundleException {
    Optional<String> text = string(json, key);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String s = text.get();
    Path relative;
    try {
      relative = Path.of(s);
    } catch (InvalidPathException e) {
      throw new BundleException(MANIFEST + ": path '" + s + "' of '" + key + "' is invalid", e);
    }
    if (s.isBlank() || relative.isAbsolute() || relative.getRoot() != null) {
      throw new BundleException(
          MANIFEST
              + ": path '"
              + s
              + "' of '"
              + key
              + "' must be a relative path inside the bundle directory "
              + root);
    }
    Path resolved = root.resolve(relative).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw new BundleException(
          MANIFEST + ": path '" + s + "' of '" + key + "' leaves the bundle directory " + root);
    }
    if (Files.isDirectory(resolved)) {
      throw new BundleException(
          MANIFEST + ": " + key + " " + s + " in " + root + " is a directory, not a file");
    }
    if (!Files.isRegularFile(resolved)) {
      throw new BundleException(
          MANIFEST + ": " + key + " file " + s + " does not exist in " + root);
    }
    if (isEmpty(resolved)) {
      throw new BundleException(
          MANIFEST
              + ": "
              + key
              + " file "
              + s
              + " in "
              + root
              + " is empty (0 bytes), "
              + (key.equals("tokenizer") ? "not a tokenizer.json" : "not an ONNX model")
              + ": copy or export it again");
    }
    try {
      // a symbolic link may still lead out of the bundle
      if (!resolved.toRealPath().startsWith(root.toRealPath())) {
        throw new BundleException(
            MANIFEST
                + ": path '"
                + s
                + "' of '"
                + key
                + "' leads out of the bundle directory "
                + root
                + " through a symbolic link");
      }
    } catch (IOException e) {
      throw new BundleException("cannot resolve " + resolved + ": " + e.getMessage(), e);
    }
    return Optional.of(resolved);
  }

  private static boolean isEmpty(Path file) throws BundleException {
    try {
      return Files.size(file) == 0;
    } catch (IOException e) {
      throw new BundleException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static GenerationDefaults generation(JsonElement value) throws BundleException {
    if (value == null || value.isJsonNull()) {
      return GenerationDefaults.DEFAULTS;
    }
    if (!value.isJsonObject()) {
      throw new BundleException(MANIFEST + ": 'generation' must be an object, found " + value);
    }
    JsonObject g = value.getAsJsonObject();
    requireKnownKeys(g, GENERATION_KEYS, "generation.");
    GenerationDefaults d = GenerationDefaults.DEFAULTS;
    try {
      return new GenerationDefaults(
          integer(g, "maxNewTokens", d.maxNewTokens()),
          number(g, "temperature", d.temperature()),
          integer(g, "topK", d.topK()),
          number(g, "topP", d.topP()),
          integer(g, "draftTokens", d.draftTokens()));
    } catch (IllegalArgumentException e) {
      throw new BundleException(MANIFEST + ": generation: " + e.getMessage(), e);
    }
  }

  private static BigDecimal numeric(JsonObject json, String key, String where)
      throws BundleException {
    JsonElement value = json.get(key);
    if (value == null || value.isJsonNull()) {
      return null;
    }
    if (!(value instanceof JsonPrimitive p) || !p.isNumber()) {
      throw new BundleException(
          MANIFEST + ": '" + where + "." + key + "' must be a number, found " + value);
    }
    return p.getAsBigDecimal();
  }

  private static int integer(JsonObject json, String key, int fallback) throws BundleException {
    return integer(json, key, fallback, "generation");
  }

  private static int integer(JsonObject json, String key, int fallback, String where)
      throws BundleException {
    BigDecimal value = numeric(json, key, where);
    if (value == null) {
      return fallback;
    }
    try {
      return value.intValueExact();
    } catch (ArithmeticException e) {
      throw new BundleException(
          MANIFEST + ": '" + where + "." + key + "' must be an integer, found " + value, e);
    }
  }

  private static double number(JsonObject json, String key, double fallback)
      throws BundleException {
    BigDecimal value = numeric(json, key, "generation");
    return value == null ? fallback : value.doubleValue();
  }
}
