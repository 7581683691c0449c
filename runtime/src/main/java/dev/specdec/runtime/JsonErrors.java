package dev.specdec.runtime;

import com.google.gson.JsonParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's parse errors in words: its messages lead with an exception class ({@code
 * java.io.EOFException: End of input at line 3 column 1 path $.name}), end with a link, and advise
 * a lenient mode; this keeps what a user can act on, "the JSON ends too early at line 3 column 1
 * (in $.name)".
 */
public final class JsonErrors {
  private static final Pattern CLASS_PREFIX = Pattern.compile("^[a-zA-Z_$.]+(Exception|Error): ");
  private static final Pattern PATH = Pattern.compile(" path (\\$\\S*)$");

  private JsonErrors() {}

  /** What is wrong with the JSON and where: line, column and member path. */
  public static String describe(JsonParseException e) {
    String message = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
    if (message == null) {
      return "malformed JSON";
    }
    int see = message.indexOf("\nSee ");
    if (see >= 0) {
      message = message.substring(0, see);
    }
    message = CLASS_PREFIX.matcher(message.strip()).replaceFirst("");
    message =
        message
            .replace("End of input", "the JSON ends too early (a truncated file?)")
            .replace(
                "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
                "text that is not JSON")
            .replace("Expected name", "expected a quoted member name")
            .replace("Unterminated", "unterminated");
    Matcher path = PATH.matcher(message);
    if (path.find()) {
      message = message.substring(0, path.start()) + " (in " + path.group(1) + ")";
    }
    return message;
  }
}
