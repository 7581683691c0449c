package dev.specdec.runtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.model.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a Hugging Face model directory's {@code config.json} and {@code generation_config.json}
 * declare about a decoder: sizes, context length and special tokens ({@code generation_config.json}
 * wins for BOS/EOS, as in transformers).
 *
 * @param source the config file, for messages
 * @param name {@code _name_or_path} or the directory's name
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKvHeads {@code num_key_value_heads}, default {@code numHeads}
 * @param headSize {@code head_dim}, default {@code hidden_size / num_attention_heads}
 * @param hiddenSize {@code hidden_size}
 * @param vocabSize {@code vocab_size}
 * @param maxPositions {@code max_position_embeddings}
 * @param bosTokenId {@code bos_token_id}
 * @param eosTokenId {@code eos_token_id} (the first one when a list)
 */
record HfModelConfig(
    Path source,
    String name,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headSize,
    int hiddenSize,
    int vocabSize,
    int maxPositions,
    int bosTokenId,
    int eosTokenId) {

  static final String CONFIG = "config.json";
  static final String GENERATION_CONFIG = "generation_config.json";

  /**
   * Reads {@code config.json} (required) and {@code generation_config.json} (optional) in {@code
   * dir}.
   *
   * @throws NoSuchFileException when {@code config.json} is absent
   * @throws ModelContractException when a required key is missing or not an integer
   */
  static HfModelConfig read(String model, Path dir) throws IOException, ModelContractException {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(),
          null,
          "model "
              + model
              + " has the Optimum layout, whose sizes and special tokens come from the Hugging"
              + " Face config.json beside it; put the model's config.json in "
              + dir);
    }
    JsonObject config = parse(model, file);
    Optional<JsonObject> generation = Optional.empty();
    Path genFile = dir.resolve(GENERATION_CONFIG);
    if (Files.isRegularFile(genFile)) {
      generation = Optional.of(parse(model, genFile));
    }
    int heads = required(model, file, config, "num_attention_heads");
    int hidden = required(model, file, config, "hidden_size");
    JsonElement nameOrPath = config.get("_name_or_path");
    String name =
        nameOrPath != null
                && nameOrPath.isJsonPrimitive()
                && nameOrPath.getAsJsonPrimitive().isString()
                && !nameOrPath.getAsString().isBlank()
            ? nameOrPath.getAsString()
            : String.valueOf(dir.toAbsolutePath().normalize().getFileName());
    return new HfModelConfig(
        file,
        name,
        required(model, file, config, "num_hidden_layers"),
        heads,
        optional(model, file, config, "num_key_value_heads").orElse(heads),
        optional(model, file, config, "head_dim").orElse(heads > 0 ? hidden / heads : 0),
        hidden,
        required(model, file, config, "vocab_size"),
        required(model, file, config, "max_position_embeddings"),
        token(model, file, config, genFile, generation, "bos_token_id"),
        token(model, file, config, genFile, generation, "eos_token_id"));
  }

  private static JsonObject parse(String model, Path file)
      throws IOException, ModelContractException {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (JsonParseException e) {
      throw new ModelContractException(
          "model " + model + ": " + file + " is not valid JSON: " + JsonErrors.describe(e));
    } catch (IllegalStateException e) {
      throw new ModelContractException(
          "model " + model + ": " + file + " is not a JSON object: " + e.getMessage());
    }
  }

  private static int token(
      String model,
      Path file,
      JsonObject config,
      Path genFile,
      Optional<JsonObject> generation,
      String key)
      throws ModelContractException {
    if (generation.isPresent() && generation.get().has(key)) {
      Optional<Integer> value = optional(model, genFile, generation.get(), key);
      if (value.isPresent()) {
        return value.get();
      }
    }
    Optional<Integer> value = optional(model, file, config, key);
    if (value.isEmpty()) {
      throw new ModelContractException(
          "model "
              + model
              + ": '"
              + key
              + "' is in neither "
              + file
              + " nor "
              + genFile
              + "; add it (specdec needs BOS to start prompts and EOS to stop)");
    }
    return value.get();
  }

  private static int required(String model, Path file, JsonObject json, String key)
      throws ModelContractException {
    return optional(model, file, json, key)
        .orElseThrow(
            () ->
                new ModelContractException(
                    "model " + model + ": " + file + " lacks '" + key + "' (an integer)"));
  }

  /** An integer, or the first of a list of integers (HF allows several EOS ids). */
  private static Optional<Integer> optional(String model, Path file, JsonObject json, String key)
      throws ModelContractException {
    JsonElement e = json.get(key);
    if (e == null || e.isJsonNull()) {
      return Optional.empty();
    }
    if (e.isJsonArray() && !e.getAsJsonArray().isEmpty()) {
      e = e.getAsJsonArray().get(0);
    }
    try {
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        return Optional.of(e.getAsBigDecimal().intValueExact());
      }
    } catch (ArithmeticException ignored) {
      // falls through to the error below
    }
    throw new ModelContractException(
        "model " + model + ": " + file + " '" + key + "' must be an integer, found " + e);
  }

  /** As the runtime's {@link ModelInfo} (contract version 0: not a specdec-contract model). */
  ModelInfo toModelInfo() {
    return new ModelInfo(
        name,
        0,
        numLayers,
        numHeads,
        numKvHeads,
        headSize,
        hiddenSize,
        vocabSize,
        maxPositions,
        bosTokenId,
        eosTokenId);
  }
}
