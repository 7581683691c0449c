package dev.specdec.runtime;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.specdec.model.TextTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link TextTokenizer} over a Hugging Face {@code tokenizer.json}, run by the Rust tokenizers
 * library through DJL (native code bundled in the jar, no network needed).
 *
 * <p>Text never becomes a special token: the Rust library matches the content of every added token
 * ({@code <s>}, {@code </s>}, {@code <unk>}) anywhere in the input and emits its id, so a prompt
 * holding the HTML tag {@code <s>} (common in Javadoc) would silently start a new sequence, and
 * {@code </s>} end one. DJL 0.38 exposes no switch to turn that off ({@code encode_special_tokens}
 * is not serialized in {@code tokenizer.json} and has no JNI entry), so the file is loaded with the
 * content of each special token, and of its vocabulary entry, replaced by a {@linkplain #RESERVED
 * reserved} string no prompt holds. Such text is then encoded as the ordinary pieces the model has
 * for it (byte fallback, in the worst case) and decodes back to itself; special ids come only from
 * code that adds them (BOS in front of a prompt), and decoding still skips them.
 */
final class HfTokenizer implements TextTokenizer {
  /**
   * What a special token's content becomes: NUL, this prefix, its id and NUL. Text holding the
   * prefix is refused by {@link #encode}, so that it cannot spell a special token either.
   */
  static final String RESERVED = "\u0000specdec-special-";

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
    JsonObject root = parse(file);
    int vocabSize = vocabSize(file, root);
    byte[] json = withoutMatchableSpecialTokens(root).toString().getBytes(StandardCharsets.UTF_8);
    Path cache = NativeRuntimeSettings.configureDjlCache();
    HuggingFaceTokenizer tokenizer;
    try (InputStream in = new ByteArrayInputStream(json)) {
      // No truncation or padding: a prompt is encoded whole, and the model checks its length.
      tokenizer =
          HuggingFaceTokenizer.newInstance(
              in, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
      throw new IOException(nativeLibraryProblem(cache, e), e);
    } catch (RuntimeException e) {
      if (String.valueOf(e.getMessage()).contains("native library")) {
        throw new IOException(nativeLibraryProblem(cache, e), e);
      }
      // DJL reports a malformed tokenizer.json from native code as a RuntimeException
      throw new IOException("tokenizer " + file + " could not be loaded: " + e.getMessage(), e);
    }
    return new HfTokenizer(tokenizer, vocabSize);
  }

  /**
   * Why DJL could not load the tokenizers' native library, with the folder it unpacks it into and
   * how to choose another: DJL's own message ("Failed to load Huggingface native library") names
   * neither.
   */
  private static String nativeLibraryProblem(Path cache, Throwable e) {
    StringBuilder causes = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && causes.indexOf(t.getMessage()) < 0) {
        causes.append(causes.isEmpty() ? "" : ": ").append(t.getMessage());
      }
    }
    String access =
        Files.isDirectory(cache) && !Files.isWritable(cache)
            ? " (" + cache + " is not writable by this user)"
            : "";
    return "the tokenizers' native library could not be loaded ("
        + causes
        + "); DJL unpacks it into "
        + cache
        + access
        + ": make that folder writable, or set DJL_CACHE_DIR to a folder of your own";
  }

  /** The file as JSON; a file that is not UTF-8 JSON is an {@link IOException} saying so. */
  private static JsonObject parse(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new IOException(
          "tokenizer " + file + " is not a Hugging Face tokenizer.json: it is not UTF-8 text", e);
    }
    try {
      JsonElement root = JsonParser.parseString(text);
      if (!root.isJsonObject()) {
        throw new IOException(
            "tokenizer " + file + " is not a Hugging Face tokenizer.json: not a JSON object");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(
          "tokenizer " + file + " is not a Hugging Face tokenizer.json: " + JsonErrors.describe(e),
          e);
    }
  }

  /**
   * A copy of {@code root} in which no special token can be matched in text: each special added
   * token's content, its entry in the model's vocabulary (a map or Unigram's list), the model's
   * {@code unk_token} when it is one of them, and any merge producing one are rewritten to {@link
   * #RESERVED}{@code + id + NUL}. Ids do not change.
   */
  static JsonObject withoutMatchableSpecialTokens(JsonObject root) {
    JsonObject copy = root.deepCopy();
    JsonElement added = copy.get("added_tokens");
    JsonElement modelElement = copy.get("model");
    if (added == null || !added.isJsonArray() || modelElement == null) {
      return copy;
    }
    JsonObject model = modelElement.getAsJsonObject();
    for (JsonElement element : added.getAsJsonArray()) {
      JsonObject token = element.getAsJsonObject();
      JsonElement special = token.get("special");
      if (special == null || !special.getAsBoolean()) {
        continue;
      }
      String content = token.get("content").getAsString();
      String reserved = RESERVED + token.get("id").getAsInt() + "\u0000";
      token.addProperty("content", reserved);
      rename(model, content, reserved);
    }
    return copy;
  }

  private static void rename(JsonObject model, String content, String reserved) {
    JsonElement vocab = model.get("vocab");
    if (vocab != null && vocab.isJsonObject()) {
      JsonObject map = vocab.getAsJsonObject();
      JsonElement id = map.remove(content);
      if (id != null) {
        map.add(reserved, id);
      }
    } else if (vocab != null && vocab.isJsonArray()) {
      for (JsonElement entry : vocab.getAsJsonArray()) {
        JsonArray pair = entry.getAsJsonArray(); // Unigram: [piece, score]
        if (pair.get(0).getAsString().equals(content)) {
          pair.set(0, new JsonPrimitive(reserved));
        }
      }
    }
    JsonElement unk = model.get("unk_token");
    if (unk != null && unk.isJsonPrimitive() && unk.getAsString().equals(content)) {
      model.addProperty("unk_token", reserved);
    }
    JsonElement merges = model.get("merges");
    if (merges != null && merges.isJsonArray()) {
      JsonArray kept = new JsonArray();
      for (JsonElement merge : merges.getAsJsonArray()) {
        String joined =
            merge.isJsonArray()
                ? merge.getAsJsonArray().get(0).getAsString()
                    + merge.getAsJsonArray().get(1).getAsString()
                : merge.getAsString().replace(" ", "");
        if (!joined.equals(content)) {
          kept.add(merge);
        }
      }
      model.add("merges", kept);
    }
  }

  /** One more than the largest id in the model's vocabulary and the added tokens. */
  private static int vocabSize(Path file, JsonObject root) throws IOException {
    try {
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
    } catch (IllegalStateException | ClassCastException | NumberFormatException e) {
      throw new IOException(
          "tokenizer "
              + file
              + " is not a Hugging Face tokenizer.json: its 'model' or 'added_tokens' is not"
              + " shaped like one ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  @Override
  public int[] encode(String text) {
    requireOpen();
    if (text.contains(RESERVED)) {
      throw new IllegalArgumentException(
          "the text holds a NUL character followed by 'specdec-special-', which specdec reserves"
              + " so that text cannot spell a special token: remove the NUL character");
    }
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
