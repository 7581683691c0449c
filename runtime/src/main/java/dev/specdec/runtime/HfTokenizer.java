package dev.specdec.runtime;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link TextTokenizer} over a Hugging Face {@code tokenizer.json}, run by the Rust tokenizers
 * library through DJL (native code bundled in the jar, no network needed).
 */
final class HfTokenizer implements TextTokenizer {
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private boolean closed;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
  }

  /**
   * Loads {@code file}.
   *
   * @throws NoSuchFileException when it does not exist
   * @throws IOException when it is not a valid tokenizer file
   */
  static HfTokenizer load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "tokenizer file does not exist");
    }
    int vocabSize = vocabSize(file);
    try {
      // No truncation or padding: a prompt is encoded whole, and the model checks its length.
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.newInstance(
              file, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      return new HfTokenizer(tokenizer, vocabSize);
    } catch (RuntimeException e) {
      // DJL reports a malformed tokenizer.json from native code as a RuntimeException
      throw new IOException("tokenizer " + file + " could not be loaded: " + e.getMessage(), e);
    }
  }

  /** One more than the largest id in the model's vocabulary and the added tokens. */
  private static int vocabSize(Path file) throws IOException {
    try {
      JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      int max = -1;
      JsonElement model = root.get("model");
      if (model == null || !model.isJsonObject()) {
        throw new IOException("tokenizer " + file + " has no 'model' object");
      }
      JsonElement vocab = model.getAsJsonObject().get("vocab");
      if (vocab != null && vocab.isJsonObject()) {
        for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
          max = Math.max(max, e.getValue().getAsInt());
        }
      } else if (vocab != null && vocab.isJsonArray()) {
        max = vocab.getAsJsonArray().size() - 1; // Unigram: [piece, score] pairs in id order
      }
      JsonElement added = root.get("added_tokens");
      if (added != null && added.isJsonArray()) {
        for (JsonElement token : added.getAsJsonArray()) {
          JsonElement id = token.getAsJsonObject().get("id");
          if (id != null) {
            max = Math.max(max, id.getAsInt());
          }
        }
      }
      if (max < 0) {
        throw new IOException("tokenizer " + file + " has an empty vocabulary");
      }
      return max + 1;
    } catch (JsonParseException
        | IllegalStateException
        | ClassCastException
        | NumberFormatException e) {
      throw new IOException(
          "tokenizer " + file + " is not a Hugging Face tokenizer.json: " + e.getMessage(), e);
    }
  }

  @Override
  public int[] encode(String text) {
    requireOpen();
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    requireOpen();
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new IllegalArgumentException(
            "token id " + ids[i] + " at index " + i + " is outside [0, " + vocabSize + ")");
      }
      wide[i] = ids[i];
    }
    return tokenizer.decode(wide, true);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      tokenizer.close();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("tokenizer is closed");
    }
  }
}
