package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.runtime.JsonErrors;
import dev.specdec.tree.TreeSearch;
import dev.specdec.tree.TreeShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Per-head, per-rank accuracies of Medusa heads: {@code perRank[k][r]} is the fraction of measured
 * positions where the true token k + 2 ahead was exactly head k's rank-r candidate (ranks by logit,
 * ties to the smaller id, as the drafter ranks them). The input of {@link
 * TreeSearch#maximizeExpectedLength}, i.e. of {@code specdec tree build}; measured by {@link
 * HeadAccuracyProbe}.
 *
 * <p>JSON form: {@code {"accuracies": [[head 0 rank 0, rank 1, ...], [head 1 ...], ...],
 * "positions": N}}; a bare matrix is read too.
 *
 * @param perRank {@code [heads][ranks]}, each in [0, 1], each head's sum at most 1
 * @param positions how many positions the measurement counted per head (0 when unknown)
 */
public record HeadAccuracies(double[][] perRank, long positions) {

  /** Validates the matrix as {@link TreeSearch} needs it and copies it. */
  public HeadAccuracies {
    Objects.requireNonNull(perRank, "perRank");
    perRank = Arrays.stream(perRank).map(double[]::clone).toArray(double[][]::new);
    // The same checks the tree search makes, so a bad file fails at load with their message.
    TreeSearch.expectedAcceptedDrafts(TreeShape.chain(1), perRank);
    if (positions < 0) {
      throw new IllegalArgumentException("positions must be >= 0, was " + positions);
    }
  }

  /** The matrix (a copy). */
  @Override
  public double[][] perRank() {
    return Arrays.stream(perRank).map(double[]::clone).toArray(double[][]::new);
  }

  /**
   * Reads accuracies: a JSON file in the form above, or inline text {@code 0.6,0.2,0.1;0.4,0.1}
   * (ranks separated by commas, heads by semicolons).
   *
   * @throws IOException when an existing file cannot be read
   * @throws IllegalArgumentException when the text or file is neither form, or the values are out
   *     of range (the message says how to fix it)
   */
  public static HeadAccuracies read(String fileOrInline) throws IOException {
    Path file = Path.of(fileOrInline);
    if (Files.isRegularFile(file)) {
      return parseJson(Files.readString(file), file.toString());
    }
    if (!fileOrInline.matches("[0-9.eE+\\-,;\\s]+")) {
      throw new IllegalArgumentException(
          "accuracies '"
              + fileOrInline
              + "' are neither an existing file nor inline numbers such as 0.6,0.2;0.4,0.1"
              + " (ranks by commas, heads by semicolons)");
    }
    String[] heads = fileOrInline.split(";");
    double[][] matrix = new double[heads.length][];
    for (int h = 0; h < heads.length; h++) {
      String[] ranks = heads[h].split(",");
      matrix[h] = new double[ranks.length];
      for (int r = 0; r < ranks.length; r++) {
        try {
          matrix[h][r] = Double.parseDouble(ranks[r].strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "accuracy of head " + h + " rank " + r + " is not a number: '" + ranks[r] + "'", e);
        }
      }
    }
    return new HeadAccuracies(matrix, 0);
  }

  /** Parses the JSON form; {@code source} names it in messages. */
  public static HeadAccuracies parseJson(String json, String source) {
    try {
      JsonElement root = JsonParser.parseString(json);
      long positions = 0;
      JsonElement matrix = root;
      if (root.isJsonObject()) {
        JsonObject object = root.getAsJsonObject();
        matrix = object.get("accuracies");
        if (matrix == null) {
          throw new IllegalArgumentException(
              source + ": no \"accuracies\" key (expected {\"accuracies\": [[...], ...]})");
        }
        if (object.has("positions")) {
          positions = object.get("positions").getAsLong();
        }
      }
      JsonArray heads = matrix.getAsJsonArray();
      double[][] out = new double[heads.size()][];
      for (int h = 0; h < out.length; h++) {
        JsonArray ranks = heads.get(h).getAsJsonArray();
        out[h] = new double[ranks.size()];
        for (int r = 0; r < out[h].length; r++) {
          out[h][r] = ranks.get(r).getAsDouble();
        }
      }
      return new HeadAccuracies(out, positions);
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          source
              + ": not an accuracies file ("
              + (e instanceof JsonParseException syntax
                  ? JsonErrors.describe(syntax)
                  : e.getMessage())
              + "); expected {\"accuracies\": [[head 0 per rank], [head 1 per rank], ...]}",
          e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage().startsWith(source) ? e.getMessage() : source + ": " + e.getMessage(), e);
    }
  }

  /** The JSON form, indented. */
  public String toJson() {
    JsonObject json = new JsonObject();
    JsonArray heads = new JsonArray();
    for (double[] head : perRank) {
      JsonArray ranks = new JsonArray();
      for (double a : head) {
        ranks.add(a);
      }
      heads.add(ranks);
    }
    json.add("accuracies", heads);
    json.addProperty("positions", positions);
    return ReportJson.pretty(json);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeadAccuracies a
        && positions == a.positions
        && Arrays.deepEquals(perRank, a.perRank);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(perRank) + Long.hashCode(positions);
  }

  @Override
  public String toString() {
    return "HeadAccuracies[positions="
        + positions
        + ", perRank="
        + Arrays.deepToString(perRank)
        + "]";
  }
}
