package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.JsonErrors;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.tree.TokenTree;
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
 * TreeSearch#maximizeExpectedLength}, i.e. of {@code specdec tree build}.
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
   * Measures {@code heads} on {@code tokens} (a tokenized text, BOS first if the model wants it).
   * The text is cut into windows of the target's context length, each run as one causal pass from
   * an empty cache; at every position t of a window with t + k + 2 inside it, head k's rank of the
   * true token is counted.
   *
   * @param ranks ranks to tell apart, in [1, vocabulary]; a true token ranked lower counts as a
   *     miss
   * @throws IllegalArgumentException when the text is too short for head 0 (fewer than 3 tokens),
   *     or the heads are not the target's
   */
  public static HeadAccuracies measure(
      CausalLm target, MedusaHeads heads, int[] tokens, int ranks) {
    heads.requireTarget(target.info());
    int vocab = heads.vocabSize();
    if (ranks < 1 || ranks > vocab) {
      throw new IllegalArgumentException("ranks must be in [1, " + vocab + "], was " + ranks);
    }
    if (tokens.length < 3) {
      throw new IllegalArgumentException(
          "text of " + tokens.length + " tokens is too short: measuring needs at least 3");
    }
    int k = heads.heads();
    long[][] hits = new long[k][ranks];
    long[] counted = new long[k];
    float[] hidden = new float[heads.hiddenSize()];
    float[] logits = new float[k * vocab];
    int window = target.capacity();
    for (int start = 0; start + 2 < tokens.length; start += window) {
      int length = Math.min(window, tokens.length - start);
      target.truncate(0);
      ForwardOutput out =
          target.forward(TokenTree.chainOf(Arrays.copyOfRange(tokens, start, start + length)));
      for (int t = 0; t + 2 < length; t++) {
        out.copyHiddenState(t, hidden);
        heads.run(hidden, logits);
        for (int h = 0; h < k && t + h + 2 < length; h++) {
          int truth = tokens[start + t + h + 2];
          int rank = rank(logits, h * vocab, vocab, truth);
          counted[h]++;
          if (rank < ranks) {
            hits[h][rank]++;
          }
        }
      }
    }
    target.truncate(0);
    double[][] perRank = new double[k][ranks];
    for (int h = 0; h < k; h++) {
      for (int r = 0; r < ranks; r++) {
        perRank[h][r] = counted[h] == 0 ? 0 : (double) hits[h][r] / counted[h];
      }
    }
    return new HeadAccuracies(perRank, counted[0]);
  }

  /**
   * Measures the Medusa heads of {@code bundle} on {@code text} (BOS in front), loading and closing
   * the tokenizer, the target and the heads; see {@link #measure(CausalLm, MedusaHeads, int[],
   * int)}.
   *
   * @throws BundleException when the bundle has no Medusa heads or they are not its target's
   * @throws IOException when a file cannot be read
   * @throws ModelContractException when a model breaks its contract
   * @throws DeviceUnavailableException when this ONNX Runtime build cannot use {@code device}
   */
  public static HeadAccuracies measure(ModelBundle bundle, Device device, String text, int ranks)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    return measure(bundle, device, EngineOptions.defaults(), text, ranks);
  }

  /**
   * {@link #measure(ModelBundle, Device, String, int)} with the models on an engine with {@code
   * engineOptions} (threads, spinning).
   */
  public static HeadAccuracies measure(
      ModelBundle bundle, Device device, EngineOptions engineOptions, String text, int ranks)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Path medusa =
        bundle
            .medusa()
            .orElseThrow(
                () ->
                    new BundleException(
                        "bundle '"
                            + bundle.name()
                            + "' has no Medusa heads to measure: add \"medusa\" to its "
                            + ModelBundle.MANIFEST));
    try (Engine engine = Engine.create(engineOptions);
        TextTokenizer tokenizer = engine.loadTokenizer(bundle.tokenizer());
        CausalLm target = engine.loadCausalLm(bundle.target(), device);
        MedusaHeads heads = engine.loadMedusaHeads(medusa, device)) {
      int[] ids = tokenizer.encode(text);
      int[] tokens = new int[ids.length + 1];
      tokens[0] = target.info().bosTokenId();
      System.arraycopy(ids, 0, tokens, 1, ids.length);
      try {
        return measure(target, heads, tokens, ranks);
      } catch (IllegalArgumentException e) {
        throw new BundleException("bundle '" + bundle.name() + "': " + e.getMessage());
      }
    }
  }

  /** Tokens ranked before {@code truth}: higher logit, or equal logit and smaller id. */
  private static int rank(float[] logits, int offset, int vocab, int truth) {
    float x = logits[offset + truth];
    int rank = 0;
    for (int v = 0; v < vocab; v++) {
      float y = logits[offset + v];
      if (y > x || (y == x && v < truth)) {
        rank++;
      }
    }
    return rank;
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
