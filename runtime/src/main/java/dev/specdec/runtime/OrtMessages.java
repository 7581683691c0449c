package dev.specdec.runtime;

/**
 * ONNX Runtime's error messages without the C++ source location and function signature it puts in
 * front of the reason ({@code /onnxruntime_src/onnxruntime/core/graph/model.cc:177
 * onnxruntime::Model::Model(onnx::ModelProto&&, ...) ModelProto does not have a graph.}).
 */
final class OrtMessages {
  private static final String SOURCE = "/onnxruntime_src/";

  private OrtMessages() {}

  /** {@code message} with every "source:line signature(...)" stretch removed. */
  static String clean(String message) {
    if (message == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    int at;
    while ((at = message.indexOf(SOURCE, from)) >= 0) {
      int open = message.indexOf('(', at);
      int close = open < 0 ? -1 : matching(message, open);
      if (close < 0) {
        break;
      }
      out.append(message, from, at);
      int end = close + 1;
      if (message.startsWith(" const", end)) {
        end += " const".length();
      }
      while (end < message.length() && message.charAt(end) == ' ') {
        end++;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) == ':') {
        out.append(' ');
      }
      from = end;
    }
    out.append(message.substring(from));
    return out.toString().strip();
  }

  private static int matching(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
