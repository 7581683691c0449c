package dev.specdec.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;

/** How every specdec report writes JSON: one convention for numbers and layout. */
public final class ReportJson {
  private ReportJson() {}

  /** A finite number as itself; NaN or infinity (a rate with nothing to count) as {@code null}. */
  public static JsonElement number(double value) {
    return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
  }

  /** Indented, nulls kept, no HTML escaping; no trailing newline. */
  public static String pretty(JsonElement json) {
    return new GsonBuilder()
        .setPrettyPrinting()
        .serializeNulls()
        .disableHtmlEscaping()
        .create()
        .toJson(json);
  }
}
