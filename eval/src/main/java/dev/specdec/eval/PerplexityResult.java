package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Perplexity#score} measured: per document and summed over all of them. Sums come
 * first, then divisions (a corpus figure, not a mean of per-document figures).
 *
 * @param bundle the bundle's name
 * @param model which of its models was scored
 * @param modelName the model's own name ({@code specdec.name})
 * @param window the context and stride
 * @param documents one score per text, in the order given
 * @param tokensRun tokens the model was fed, context re-fed by overlapping windows included
 * @param nanos wall time of tokenizing and scoring
 */
public record PerplexityResult(
    String bundle,
    Perplexity.Model model,
    String modelName,
    Perplexity.Window window,
    List<Document> documents,
    long tokensRun,
    long nanos) {

  /**
   * The score of one document.
   *
   * @param name the text's name
   * @param bytes its UTF-8 bytes
   * @param tokens targets scored: the encoded length + 1 (EOS)
   * @param totalNats the sum over targets of −ln p(target)
   * @param top1Hits targets that were the model's argmax
   * @param windows windows the document took
   */
  public record Document(
      String name, long bytes, int tokens, double totalNats, int top1Hits, int windows) {

    /** Validates presence and ranges. */
    public Document {
      Objects.requireNonNull(name, "name");
      if (bytes < 0 || tokens < 1 || top1Hits < 0 || top1Hits > tokens || windows < 1) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s: bytes (%d) must be >= 0, tokens (%d) >= 1, top1Hits (%d) in [0, tokens],"
                    + " windows (%d) >= 1",
                name,
                bytes,
                tokens,
                top1Hits,
                windows));
      }
    }

    /** Mean nats per target token. */
    public double meanNats() {
      return totalNats / tokens;
    }

    /** Total nats / ln 2 / bytes; {@code NaN} for no bytes. */
    public double bitsPerByte() {
      return PerplexityResult.bitsPerByte(totalNats, bytes);
    }

    /** Share of targets that were the argmax. */
    public double top1() {
      return (double) top1Hits / tokens;
    }
  }

  /** Validates presence and copies the list. */
  public PerplexityResult {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(window, "window");
    documents = List.copyOf(documents);
    if (documents.isEmpty()) {
      throw new IllegalArgumentException("a result needs at least one document");
    }
  }

  /** Targets scored over all documents. */
  public long tokens() {
    return documents.stream().mapToLong(Document::tokens).sum();
  }

  /** −ln p summed over all targets. */
  public double totalNats() {
    return documents.stream().mapToDouble(Document::totalNats).sum();
  }

  /** UTF-8 bytes of all texts. */
  public long bytes() {
    return documents.stream().mapToLong(Document::bytes).sum();
  }

  /** Targets that were the argmax, over all documents. */
  public long top1Hits() {
    return documents.stream().mapToLong(Document::top1Hits).sum();
  }

  /** Windows over all documents. */
  public long windows() {
    return documents.stream().mapToLong(Document::windows).sum();
  }

  /** Mean nats per target token (the cross-entropy loss). */
  public double meanNats() {
    return totalNats() / tokens();
  }

  /** exp(mean nats): the perplexity per token. */
  public double perplexity() {
    return Math.exp(meanNats());
  }

  /** Total nats / ln 2 / total UTF-8 bytes: comparable across tokenizers. */
  public double bitsPerByte() {
    return bitsPerByte(totalNats(), bytes());
  }

  /** Share of targets that were the argmax. */
  public double top1() {
    return (double) top1Hits() / tokens();
  }

  /** Targets scored per second of wall time; {@code NaN} when no time was measured. */
  public double tokensPerSecond() {
    return nanos <= 0 ? Double.NaN : tokens() / (nanos / 1e9);
  }

  private static double bitsPerByte(double nats, long bytes) {
    return bytes == 0 ? Double.NaN : nats / Math.log(2) / bytes;
  }

  /** One JSON object: settings, the totals, and per document the same figures. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    json.addProperty("bundle", bundle);
    json.addProperty("model", model.toString());
    json.addProperty("modelName", modelName);
    JsonArray files = new JsonArray();
    documents.forEach(d -> files.add(d.name()));
    json.add("files", files);
    json.addProperty("context", window.context());
    json.addProperty("stride", window.stride());
    json.addProperty("tokens", tokens());
    json.add("nats", ReportJson.number(meanNats()));
    json.add("perplexity", ReportJson.number(perplexity()));
    json.add("bitsPerByte", ReportJson.number(bitsPerByte()));
    json.add("top1", ReportJson.number(top1()));
    json.addProperty("bytes", bytes());
    json.add("totalNats", ReportJson.number(totalNats()));
    json.addProperty("windows", windows());
    json.addProperty("tokensRun", tokensRun);
    json.add("seconds", ReportJson.number(nanos / 1e9));
    json.add("tokensPerSecond", ReportJson.number(tokensPerSecond()));
    JsonArray perFile = new JsonArray();
    for (Document d : documents) {
      JsonObject doc = new JsonObject();
      doc.addProperty("file", d.name());
      doc.addProperty("bytes", d.bytes());
      doc.addProperty("tokens", d.tokens());
      doc.add("nats", ReportJson.number(d.meanNats()));
      doc.add("bitsPerByte", ReportJson.number(d.bitsPerByte()));
      doc.add("top1", ReportJson.number(d.top1()));
      doc.addProperty("windows", d.windows());
      perFile.add(doc);
    }
    json.add("perFile", perFile);
    return json;
  }

  /** The report as aligned lines, one file per line when there are several. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    line(
        out,
        "model",
        String.format(Locale.ROOT, "%s of bundle %s (model '%s')", model, bundle, modelName));
    line(
        out,
        "windows",
        String.format(
            Locale.ROOT,
            "context %d, stride %d: %d window(s), %d tokens fed",
            window.context(),
            window.stride(),
            windows(),
            tokensRun));
    line(
        out,
        "tokens scored",
        String.format(
            Locale.ROOT, "%d in %d file(s) of %d bytes", tokens(), documents.size(), bytes()));
    line(
        out,
        "nats/token",
        String.format(Locale.ROOT, "%.4f (perplexity %.2f)", meanNats(), perplexity()));
    line(out, "bits/byte", String.format(Locale.ROOT, "%.4f", bitsPerByte()));
    line(out, "top-1", String.format(Locale.ROOT, "%.2f %%", 100 * top1()));
    line(
        out,
        "speed",
        String.format(Locale.ROOT, "%.1f tokens/s (%.1f s)", tokensPerSecond(), nanos / 1e9));
    if (documents.size() > 1) {
      for (Document d : documents) {
        line(
            out,
            "file",
            String.format(
                Locale.ROOT,
                "%s: %d tokens, %.4f nats/token, %.4f bits/byte, top-1 %.2f %%",
                d.name(),
                d.tokens(),
                d.meanNats(),
                d.bitsPerByte(),
                100 * d.top1()));
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "%-16s %s%n", label, value));
  }
}
