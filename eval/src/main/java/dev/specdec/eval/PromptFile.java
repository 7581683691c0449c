package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.runtime.JsonErrors;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a benchmark's prompt set from a file, in one of three shapes.
 *
 * <ul>
 *   <li>A {@code .txt} file: prompts separated by blank lines, each stripped of surrounding
 *       whitespace; ids are the positions 1, 2, ...
 *   <li>JSON Lines (any other name), one object per non-blank line, either ours: {@code "prompt"}
 *       (a string) with optional {@code "id"} and {@code "category"}; or Spec-Bench's: {@code
 *       "question_id"}, {@code "category"} and {@code "turns"} (a list of strings, of which the
 *       first turn is the prompt). A line without an id gets its position in the set.
 * </ul>
 *
 * <p>Files are read as UTF-8.
 */
public final class PromptFile {
  private PromptFile() {}

  /**
   * The prompts in {@code file}, in file order.
   *
   * @throws PromptFileException when the file is missing or not UTF-8, a JSON line is malformed or
   *     lacks a non-empty prompt (the message gives its line number), or there are no prompts
   * @throws IOException when the file cannot be read
   */
  public static List<BenchPrompt> read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new PromptFileException("prompt file " + file + " is a directory, not a file");
    }
    if (!Files.isRegularFile(file)) {
      throw new PromptFileException("prompt file does not exist: " + file);
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (CharacterCodingException e) {
      throw new PromptFileException("prompt file is not valid UTF-8: " + file, e);
    }
    boolean text = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txt");
    List<BenchPrompt> prompts = text ? parseText(lines) : parseJsonLines(file, lines);
    if (prompts.isEmpty()) {
      throw new PromptFileException("no prompts in " + file);
    }
    return List.copyOf(prompts);
  }

  /** Blocks of non-blank lines, each one prompt. */
  static List<BenchPrompt> parseText(List<String> lines) {
    List<BenchPrompt> prompts = new ArrayList<>();
    StringBuilder block = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank()) {
        add(prompts, block);
      } else {
        block.append(line).append('\n');
      }
    }
    add(prompts, block);
    return prompts;
  }

  private static void add(List<BenchPrompt> prompts, StringBuilder block) {
    String prompt = block.toString().strip();
    block.setLength(0);
    if (!prompt.isEmpty()) {
      prompts.add(new BenchPrompt(Integer.toString(prompts.size() + 1), Optional.empty(), prompt));
    }
  }

  /** One JSON object per non-blank line. */
  static List<BenchPrompt> parseJsonLines(Path file, List<String> lines)
      throws PromptFileException {
    List<BenchPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      JsonElement element;
      try {
        element = JsonParser.parseString(line);
      } catch (JsonParseException e) {
        throw new PromptFileException(where + ": malformed JSON: " + JsonErrors.describe(e), e);
      }
      if (!element.isJsonObject()) {
        throw new PromptFileException(where + ": expected a JSON object, found " + element);
      }
      JsonObject object = element.getAsJsonObject();
      String prompt = prompt(object, where);
      String id =
          scalar(object, "id")
              .or(() -> scalar(object, "question_id"))
              .orElse(Integer.toString(prompts.size() + 1));
      prompts.add(new BenchPrompt(id, scalar(object, "category"), prompt));
    }
    return prompts;
  }

  private static String prompt(JsonObject object, String where) throws PromptFileException {
    JsonElement prompt = object.get("prompt");
    if (prompt == null) {
      JsonElement turns = object.get("turns");
      if (turns != null && turns.isJsonArray() && !turns.getAsJsonArray().isEmpty()) {
        JsonArray list = turns.getAsJsonArray();
        prompt = list.get(0);
      } else {
        throw new PromptFileException(
            where
                + ": needs a \"prompt\" string or a non-empty \"turns\" list of strings"
                + " (Spec-Bench)");
      }
    }
    if (!prompt.isJsonPrimitive() || !prompt.getAsJsonPrimitive().isString()) {
      throw new PromptFileException(where + ": the prompt must be a string, found " + prompt);
    }
    String text = prompt.getAsString();
    if (text.isEmpty()) {
      throw new PromptFileException(where + ": the prompt is empty");
    }
    return text;
  }

  /** A string or number field as text; absent when missing or null. */
  private static Optional<String> scalar(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonPrimitive()
        ? Optional.of(value.getAsString())
        : Optional.empty();
  }
}
