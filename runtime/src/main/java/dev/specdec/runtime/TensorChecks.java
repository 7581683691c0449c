package dev.specdec.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks of a session's declared inputs and outputs shared by every model layout specdec loads
 * ({@link ModelContract}, {@link OptimumLayout}): one wording of "expected X for NAME, found Y".
 */
final class TensorChecks {
  private TensorChecks() {}

  /** Checks that {@code found} holds exactly the {@code expected} names (order free). */
  static void checkNames(String model, String kind, List<String> expected, Set<String> found)
      throws ModelContractException {
    for (String name : expected) {
      if (!found.contains(name)) {
        throw new ModelContractException(
            "model "
                + model
                + ": "
                + kind
                + " '"
                + name
                + "' missing; expected "
                + kind
                + "s "
                + expected
                + ", found "
                + List.copyOf(found));
      }
    }
    for (String name : found) {
      if (!expected.contains(name)) {
        throw new ModelContractException(
            "model "
                + model
                + ": unexpected "
                + kind
                + " '"
                + name
                + "'; expected "
                + kind
                + "s "
                + expected
                + ", found "
                + List.copyOf(found));
      }
    }
  }

  /**
   * Checks that {@code node} is a tensor of {@code type} whose declared axes match {@code dims}.
   */
  static void checkTensor(String model, NodeInfo node, OnnxJavaType type, Dim... dims)
      throws ModelContractException {
    String expected = typeName(type) + " " + render(dims);
    if (!(node.getInfo() instanceof TensorInfo tensor)) {
      throw mismatch(model, expected, node, String.valueOf(node.getInfo()));
    }
    long[] shape = tensor.getShape();
    boolean matches = tensor.type == type && shape.length == dims.length;
    for (int i = 0; matches && i < dims.length; i++) {
      matches = dims[i].accepts(shape[i]);
    }
    if (!matches) {
      throw mismatch(model, expected, node, describe(tensor));
    }
  }

  /** {@code float32 [batch, seq, 512]}: a declared tensor as messages and reports show it. */
  static String describe(TensorInfo tensor) {
    return typeName(tensor.type) + " " + render(tensor.getShape(), tensor.getDimensionNames());
  }

  /** Each node as {@code name: type [dims]}, in the session's order; for messages and reports. */
  static List<String> describeAll(Map<String, NodeInfo> nodes) {
    return nodes.values().stream()
        .map(
            n ->
                n.getName()
                    + ": "
                    + (n.getInfo() instanceof TensorInfo t ? describe(t) : n.getInfo().toString()))
        .toList();
  }

  private static ModelContractException mismatch(
      String model, String expected, NodeInfo node, String found) {
    return new ModelContractException(
        "model "
            + model
            + ": expected "
            + expected
            + " for "
            + node.getName()
            + ", found "
            + found);
  }

  static String typeName(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> "float32";
      case DOUBLE -> "float64";
      case INT64 -> "int64";
      case INT32 -> "int32";
      default -> type.name().toLowerCase(Locale.ROOT);
    };
  }

  private static String render(Dim[] dims) {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (Dim d : dims) {
      joiner.add(d.name() != null ? d.name() : Long.toString(d.size()));
    }
    return joiner.toString();
  }

  private static String render(long[] shape, String[] names) {
    StringJoiner joiner = new StringJoiner(", ", "[", "]");
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0) {
        joiner.add(Long.toString(shape[i]));
      } else {
        String name = names != null && i < names.length ? names[i] : "";
        joiner.add(name == null || name.isEmpty() ? "?" : name);
      }
    }
    return joiner.toString();
  }

  /**
   * One expected axis: a symbolic (dynamic) size with a name, or a fixed size.
   *
   * @param name the symbolic name shown in messages, null for a fixed size
   * @param size the fixed size, -1 when symbolic
   * @param mayBeOne a symbolic axis that may also be declared fixed at 1 (the batch: we always run
   *     batch 1); other symbolic axes must be dynamic
   */
  record Dim(String name, long size, boolean mayBeOne) {
    static Dim symbolic(String name) {
      return new Dim(name, -1, false);
    }

    static Dim batch(String name) {
      return new Dim(name, -1, true);
    }

    static Dim fixed(long size) {
      return new Dim(null, size, false);
    }

    boolean accepts(long declared) {
      if (name == null) {
        return declared == size;
      }
      return declared < 0 || (mayBeOne && declared == 1);
    }
  }
}
