package dev.specdec.tree;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the little JSON that tree files hold: nested arrays of non-negative integers and objects
 * whose values are such arrays (Medusa's {@code medusa_choices.py} as JSON, or our own files).
 * Hand-written so that {@code tree-attention} keeps no dependencies; errors name the line and
 * column.
 */
final class ChoiceListJson {
  private final String text;
  private final String source;
  private int pos;

  private ChoiceListJson(String text, String source) {
    this.text = text;
    this.source = source;
  }

  /**
   * Parses {@code text}: either one choice list ({@code [[0], [1], [0, 0]]}) under the name "" or
   * an object of named choice lists, in file order.
   */
  static Map<String, List<int[]>> parse(String text, String source) {
    ChoiceListJson p = new ChoiceListJson(text, source);
    p.skipSpace();
    Map<String, List<int[]>> out = new LinkedHashMap<>();
    if (p.peek() == '{') {
      p.pos++;
      p.skipSpace();
      if (p.peek() == '}') {
        p.pos++;
      } else {
        while (true) {
          p.skipSpace();
          String name = p.string();
          p.skipSpace();
          p.expect(':');
          p.skipSpace();
          int at = p.pos;
          List<int[]> choices = p.choiceList();
          if (out.put(name, choices) != null) {
            throw p.error("tree '" + name + "' is defined twice", at);
          }
          p.skipSpace();
          if (p.peek() == ',') {
            p.pos++;
            continue;
          }
          p.expect('}');
          break;
        }
      }
    } else {
      out.put("", p.choiceList());
    }
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected text after the JSON value", p.pos);
    }
    return out;
  }

  private List<int[]> choiceList() {
    expect('[');
    List<int[]> out = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      return out;
    }
    while (true) {
      skipSpace();
      out.add(path());
      skipSpace();
      if (peek() == ',') {
        pos++;
        continue;
      }
      expect(']');
      return out;
    }
  }

  private int[] path() {
    if (peek() != '[') {
      throw error("expected a choice path such as [0, 1] (a list of ranks)", pos);
    }
    pos++;
    List<Integer> ranks = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
    } else {
      while (true) {
        skipSpace();
        ranks.add(rank());
        skipSpace();
        if (peek() == ',') {
          pos++;
          continue;
        }
        expect(']');
        break;
      }
    }
    int[] out = new int[ranks.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ranks.get(i);
    }
    return out;
  }

  private int rank() {
    int start = pos;
    while (pos < text.length()
        && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
      pos++;
    }
    String digits = text.substring(start, pos);
    try {
      int v = Integer.parseInt(digits);
      if (v < 0) {
        throw error("a rank must be >= 0, was " + v, start);
      }
      return v;
    } catch (NumberFormatException e) {
      throw error("expected a rank (a non-negative integer)", start);
    }
  }

  private String string() {
    expect('"');
    int start = pos;
    while (pos < text.length() && text.charAt(pos) != '"') {
      if (text.charAt(pos) == '\\') {
        throw error("escapes in tree names are not supported", pos);
      }
      pos++;
    }
    if (pos >= text.length()) {
      throw error("unterminated string", start - 1);
    }
    return text.substring(start, pos++);
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error(
          "expected '"
              + c
              + "', found "
              + (pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end of the text"),
          pos);
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what, int at) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < at && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new IllegalArgumentException(
        source
            + ":"
            + line
            + ":"
            + column
            + ": "
            + what
            + "; a tree file holds a choice list such as [[0], [1], [0, 0]] or an object of"
            + " named choice lists such as {\"my-tree\": [[0], [0, 0]]}");
  }
}
