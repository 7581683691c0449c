package dev.specdec.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Static tree shapes: the ones shipped with specdec and the ones users bring as JSON choice lists.
 *
 * <p>Shipped shapes ({@link #SHIPPED}): {@code chain-4} (four top-1 drafts) and {@code medusa-8},
 * {@code medusa-16}, {@code medusa-32}, {@code medusa-63}, built by {@link
 * TreeSearch#maximizeExpectedLength} with that many nodes from {@link #ASSUMED_ACCURACIES}, depth
 * at most 4 (four Medusa heads), ranks below 10. They are starting points, not measurements: build
 * a tree for your own heads with {@code specdec tree build}.
 */
public final class TreeShapes {
  /** Names of the shipped shapes, smallest first. */
  public static final List<String> SHIPPED =
      List.of("chain-4", "medusa-8", "medusa-16", "medusa-32", "medusa-63");

  /**
   * The per-head, per-rank accuracies the shipped Medusa shapes were built from: head h's rank-r
   * candidate is right with probability {@code 0.6 * 0.75^h * 0.4^r}, r < 10. An assumed profile in
   * the range the Medusa paper reports for Vicuna-7B (top-1 of the first head near 0.6, later heads
   * lower, and fast decay over ranks), not a measurement of any model.
   */
  public static final double[][] ASSUMED_ACCURACIES = assumedAccuracies();

  private TreeShapes() {}

  private static double[][] assumedAccuracies() {
    double[][] a = new double[4][10];
    for (int h = 0; h < a.length; h++) {
      for (int r = 0; r < a[h].length; r++) {
        a[h][r] = 0.6 * Math.pow(0.75, h) * Math.pow(0.4, r);
      }
    }
    return a;
  }

  /**
   * A shipped shape by name.
   *
   * @throws IllegalArgumentException when no shipped shape has that name (the message lists them)
   */
  public static TreeShape shipped(String name) {
    if (!SHIPPED.contains(name)) {
      throw new IllegalArgumentException(
          "no shipped tree named '" + name + "': expected one of " + SHIPPED);
    }
    String resource = "shapes/" + name + ".json";
    try (InputStream in = TreeShapes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("shipped tree resource " + resource + " is missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read shipped tree resource " + resource, e);
    }
  }

  /**
   * Reads a tree file: a choice list, or an object of named choice lists (then {@code name} picks
   * one; it may be null when the object holds exactly one).
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when the JSON or the tree is malformed (the message names the
   *     file, the line and what to fix)
   */
  public static TreeShape load(Path file, String name) throws IOException {
    return parse(Files.readString(file), file.toString(), name);
  }

  /**
   * Parses tree JSON; see {@link #load}.
   *
   * @param source names the text in error messages (a file name)
   */
  public static TreeShape parse(String json, String source, String name) {
    Map<String, List<int[]>> trees = ChoiceListJson.parse(json, source);
    List<int[]> choices;
    String picked;
    if (name != null) {
      choices = trees.get(name);
      if (choices == null) {
        throw new IllegalArgumentException(
            source + " has no tree named '" + name + "': it holds " + names(trees));
      }
      picked = name;
    } else if (trees.size() == 1) {
      picked = trees.keySet().iterator().next();
      choices = trees.get(picked);
    } else {
      throw new IllegalArgumentException(
          source
              + " holds "
              + trees.size()
              + " trees "
              + names(trees)
              + ": pick one with FILE#NAME");
    }
    if (choices.isEmpty()) {
      throw new IllegalArgumentException(
          source + (picked.isEmpty() ? "" : " tree '" + picked + "'") + " has no nodes");
    }
    try {
      return TreeShape.of(choices);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          source + (picked.isEmpty() ? "" : " tree '" + picked + "'") + ": " + e.getMessage(), e);
    }
  }

  private static String names(Map<String, List<int[]>> trees) {
    return trees.keySet().stream().map(n -> n.isEmpty() ? "(unnamed)" : n).toList().toString();
  }
}
