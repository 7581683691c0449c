package dev.specdec.runtime;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a model's weights are quantized: its MatMuls with constant weights run as ONNX Runtime's
 * {@code com.microsoft MatMulNBits}, the weights blockwise quantized along K (see {@code
 * tools/quantize.py} and {@code docs/performance.md}).
 *
 * <p>A bundle's manifest records one per quantized model ({@code "quantization": {"target":
 * {"bits": 4, "block": 32, "accuracyLevel": 4}, ...}}); a quantized ONNX file carries the same
 * settings as JSON in its metadata under {@link #METADATA_KEY}.
 *
 * @param bits bits per weight: 8 or 4
 * @param block weights per quantization block along K (each with its own scale): a power of two in
 *     [16, 256]
 * @param accuracyLevel MatMulNBits' {@code accuracy_level}, the least precision of the activations
 *     inside the kernel: 0 (unset: as the kernel likes), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8:
 *     activations quantized blockwise to int8, integer dot products)
 */
public record Quantization(int bits, int block, int accuracyLevel) {
  /** The ONNX metadata key of a quantized model: the settings as a JSON object. */
  public static final String METADATA_KEY = "specdec.quantization";

  /** The manifest keys of one model's entry. */
  static final List<String> KEYS = List.of("bits", "block", "accuracyLevel");

  /** Validates each setting, naming it and the valid values. */
  public Quantization {
    if (bits != 4 && bits != 8) {
      throw new IllegalArgumentException("bits must be 4 or 8, was " + bits);
    }
    if (block < 16 || block > 256 || Integer.bitCount(block) != 1) {
      throw new IllegalArgumentException(
          "block must be a power of two in [16, 256] (16, 32, 64, 128, 256), was " + block);
    }
    if (accuracyLevel < 0 || accuracyLevel > 4) {
      throw new IllegalArgumentException(
          "accuracyLevel must be in [0, 4] (0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8), was "
              + accuracyLevel);
    }
  }

  /**
   * The settings a model's metadata declares under {@link #METADATA_KEY}; empty when it has none.
   *
   * @throws IllegalArgumentException when the value is not a JSON object with valid settings
   */
  public static Optional<Quantization> fromMetadata(Map<String, String> metadata) {
    String value = metadata.get(METADATA_KEY);
    if (value == null) {
      return Optional.empty();
    }
    try {
      JsonElement json = JsonParser.parseString(value);
      if (json.isJsonObject()) {
        JsonObject o = json.getAsJsonObject();
        return Optional.of(
            new Quantization(
                integer(o, "bits", value),
                integer(o, "block", value),
                integer(o, "accuracyLevel", value)));
      }
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(
          "metadata " + METADATA_KEY + " is not valid JSON: " + value, e);
    }
    throw new IllegalArgumentException(
        "metadata " + METADATA_KEY + " must be a JSON object, found " + value);
  }

  private static int integer(JsonObject o, String key, String whole) {
    JsonElement v = o.get(key);
    if (!(v instanceof JsonPrimitive p) || !p.isNumber()) {
      throw new IllegalArgumentException(
          "metadata " + METADATA_KEY + ": '" + key + "' must be an integer, found " + whole);
    }
    return p.getAsInt();
  }

  /** For reports: {@code int4, block 32, accuracy level 4 (int8 activations)}. */
  public String describe() {
    String activations =
        switch (accuracyLevel) {
          case 0 -> "unset";
          case 1 -> "fp32 activations";
          case 2 -> "fp16 activations";
          case 3 -> "bf16 activations";
          default -> "int8 activations";
        };
    return String.format(
        Locale.ROOT,
        "int%d, block %d, accuracy level %d (%s)",
        bits,
        block,
        accuracyLevel,
        activations);
  }
}
