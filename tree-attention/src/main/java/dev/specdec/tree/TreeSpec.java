package dev.specdec.tree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a tree drafter lays out its drafts: a static shape (filled with top-k candidates) or a
 * dynamic tree grown per step from the draft probabilities.
 */
public sealed interface TreeSpec {

  /** The most draft nodes (root excluded) a tree of this spec holds. */
  int maxDrafts();

  /** The most draft levels (depth of the deepest node). */
  int maxDepth();

  /**
   * A spec string that {@link #parse} reads back (a file is written as its shape's choice list).
   */
  String describe();

  /**
   * A static shape.
   *
   * @param name a shipped name, a file name, or "custom"
   * @param shape the shape, at least one draft
   */
  record Static(String name, TreeShape shape) implements TreeSpec {
    /** Validates. */
    public Static {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(shape, "shape");
      if (shape.size() < 2) {
        throw new IllegalArgumentException("tree '" + name + "' has no draft node");
      }
    }

    @Override
    public int maxDrafts() {
      return shape.size() - 1;
    }

    @Override
    public int maxDepth() {
      return shape.maxDepth();
    }

    @Override
    public String describe() {
      return name;
    }
  }

  /**
   * An EAGLE-2 style dynamic tree; see {@link TreeGrower#grow}.
   *
   * @param budget the most draft nodes, in [1, 64]
   * @param depth the most draft levels, in [1, 16]
   * @param topk candidates per expanded node and nodes expanded per level, in [1, 16]
   */
  record Dynamic(int budget, int depth, int topk) implements TreeSpec {
    /** Validates the ranges. */
    public Dynamic {
      requireIn("budget", budget, 1, 64);
      requireIn("depth", depth, 1, 16);
      requireIn("topk", topk, 1, 16);
    }

    @Override
    public int maxDrafts() {
      return budget;
    }

    @Override
    public int maxDepth() {
      return Math.min(depth, budget);
    }

    @Override
    public String describe() {
      return "dynamic:budget=" + budget + ",depth=" + depth + ",topk=" + topk;
    }
  }

  /**
   * Reads a spec: a shipped shape name ({@link TreeShapes#SHIPPED}), {@code
   * dynamic:budget=B,depth=D,topk=K}, or a JSON file (optionally {@code FILE#NAME} to pick one tree
   * of an object of named trees).
   *
   * @throws IllegalArgumentException when the spec is none of these or malformed; the message says
   *     what is valid
   * @throws UncheckedIOException when an existing file cannot be read
   */
  static TreeSpec parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (TreeShapes.SHIPPED.contains(spec)) {
      return new Static(spec, TreeShapes.shipped(spec));
    }
    if (spec.startsWith("dynamic:") || spec.equals("dynamic")) {
      return parseDynamic(spec);
    }
    String file = spec;
    String name = null;
    int hash = spec.lastIndexOf('#');
    if (hash > 0 && !Files.exists(Path.of(spec))) {
      file = spec.substring(0, hash);
      name = spec.substring(hash + 1);
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "tree '"
              + spec
              + "' is neither a shipped tree "
              + TreeShapes.SHIPPED
              + ", nor dynamic:budget=B,depth=D,topk=K, nor an existing JSON file");
    }
    try {
      return new Static(spec, TreeShapes.load(path, name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tree file " + path, e);
    }
  }

  private static Dynamic parseDynamic(String spec) {
    String usage = "dynamic:budget=B,depth=D,topk=K (e.g. dynamic:budget=16,depth=4,topk=4)";
    String body = spec.startsWith("dynamic:") ? spec.substring("dynamic:".length()) : "";
    Integer budget = null;
    Integer depth = null;
    Integer topk = null;
    for (String part : body.split(",")) {
      String[] kv = part.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(
            "dynamic tree '" + spec + "': expected key=value, found '" + part + "'; " + usage);
      }
      int value;
      try {
        value = Integer.parseInt(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "dynamic tree '" + spec + "': " + kv[0] + " must be an integer, was '" + kv[1] + "'",
            e);
      }
      switch (kv[0].trim()) {
        case "budget" -> budget = value;
        case "depth" -> depth = value;
        case "topk" -> topk = value;
        default ->
            throw new IllegalArgumentException(
                "dynamic tree '"
                    + spec
                    + "': unknown key '"
                    + kv[0]
                    + "', expected budget, depth, topk");
      }
    }
    if (budget == null || depth == null || topk == null) {
      throw new IllegalArgumentException(
          "dynamic tree '" + spec + "' needs budget, depth and topk: " + usage);
    }
    return new Dynamic(budget, depth, topk);
  }

  private static void requireIn(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "dynamic tree " + what + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
