package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.runtime.ModelBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code specdec tune} found best on one machine for one bundle: the config per prompt
 * category and overall, each with the speedup predicted by the sweep and the speedup measured
 * (interleaved, as {@code specdec bench}), and the machine it was measured on. Every decoding
 * command reads it with {@code --profile FILE} and uses its config where the command line names no
 * drafter.
 *
 * <p>The file is JSON, {@code "format": "specdec-profile/1"} ({@link #FORMAT}); the fields are
 * those of this record (see docs/adaptive.md). A config is a spec as {@code --config} takes it,
 * with the drafter's keys only (drafter, k, tree, depth, mtp-branches, ngram-*, branches, budget):
 * sampling stays the command's.
 *
 * @param bundle the bundle's name
 * @param targetBytes the size of the bundle's target model file: a retrained or requantized target
 *     makes the profile stale
 * @param machine where the speedups were measured
 * @param created when, as an ISO-8601 instant
 * @param prompts the prompt set tuned on (as given)
 * @param maxNewTokens new tokens per measured run
 * @param overall the best config over all prompts
 * @param categories the best config per category, in the prompt set's order
 * @param sweep every candidate of the sweep with its predicted speedup, and its measured one where
 *     it was measured over all prompts ({@code NaN} otherwise)
 */
public record TuneProfile(
    String bundle,
    long targetBytes,
    Machine machine,
    String created,
    String prompts,
    int maxNewTokens,
    Choice overall,
    Map<String, Choice> categories,
    List<Choice> sweep) {

  /** The format this version writes and reads. */
  public static final String FORMAT = "specdec-profile/1";

  /**
   * The machine a profile was measured on.
   *
   * @param cpu the CPU's model name ({@code /proc/cpuinfo}, else the OS architecture)
   * @param cores processors available to the JVM
   * @param threads ONNX Runtime intra-op threads (0 = every processor)
   * @param passCostKey the target's pass-cost cache key: model file, device, thread setting
   */
  public record Machine(String cpu, int cores, int threads, String passCostKey) {
    /** Validates presence. */
    public Machine {
      Objects.requireNonNull(cpu, "cpu");
      Objects.requireNonNull(passCostKey, "passCostKey");
    }

    /** This machine, for a target whose pass-cost key is {@code passCostKey}. */
    public static Machine current(int threads, String passCostKey) {
      return new Machine(
          cpuModel(), Runtime.getRuntime().availableProcessors(), threads, passCostKey);
    }

    private static String cpuModel() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name")) {
            return line.substring(line.indexOf(':') + 1).strip();
          }
        }
      } catch (IOException | RuntimeException e) {
        // Not Linux, or not readable: the architecture is what is left to say.
      }
      return System.getProperty("os.arch");
    }
  }

  /**
   * One config and what it does.
   *
   * @param name the candidate's name in the sweep (e.g. {@code draft-k2}, {@code medusa-8})
   * @param spec the drafter's spec, as {@code --config NAME=SPEC} takes it
   * @param predictedSpeedup the sweep's prediction (step records × cost model)
   * @param measuredSpeedup the median measured speedup over plain decoding ({@code NaN} when not
   *     measured)
   * @param minSpeedup the smallest measured round ({@code NaN} when not measured)
   * @param maxSpeedup the largest measured round ({@code NaN} when not measured)
   */
  public record Choice(
      String name,
      String spec,
      double predictedSpeedup,
      double measuredSpeedup,
      double minSpeedup,
      double maxSpeedup) {
    /** Validates presence. */
    public Choice {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(spec, "spec");
    }
  }

  /** Validates presence and copies the collections (keeping the categories' order). */
  public TuneProfile {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(overall, "overall");
    categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    sweep = List.copyOf(sweep);
  }

  /** The best config for prompts of {@code category}: its own when tuned, else the overall best. */
  public Choice choiceFor(Optional<String> category) {
    return category.map(categories::get).orElse(overall);
  }

  /**
   * Checks that this profile was made for {@code bundle}.
   *
   * @param file where the profile came from, for the message
   * @throws ProfileException naming both bundles (or target sizes) and how to make a matching one
   */
  public void requireFor(ModelBundle bundle, Path file) throws ProfileException {
    String remedy =
        ": pass the profile tuned for this bundle, or make one with specdec tune --bundle "
            + bundle.root()
            + " --prompts FILE --profile "
            + file;
    if (!bundle.name().equals(this.bundle)) {
      throw new ProfileException(
          "profile "
              + file
              + " was made for bundle '"
              + this.bundle
              + "', not for '"
              + bundle.name()
              + "'"
              + remedy);
    }
    long size;
    try {
      size = Files.size(bundle.target());
    } catch (IOException e) {
      throw new ProfileException("cannot read the size of " + bundle.target(), e);
    }
    if (size != targetBytes) {
      throw new ProfileException(
          "profile "
              + file
              + " was made for a target of "
              + targetBytes
              + " bytes; "
              + bundle.target()
              + " has "
              + size
              + " (retrained or requantized?)"
              + remedy);
    }
  }

  /**
   * What differs between the machine this profile was measured on and {@code current}; empty when
   * nothing does. A profile from another machine still runs, but its speedups need not hold.
   */
  public Optional<String> machineMismatch(Machine current) {
    List<String> diffs = new ArrayList<>();
    if (!machine.cpu().equals(current.cpu())) {
      diffs.add("cpu '" + machine.cpu() + "' vs '" + current.cpu() + "'");
    }
    if (machine.cores() != current.cores()) {
      diffs.add(machine.cores() + " vs " + current.cores() + " cores");
    }
    if (machine.threads() != current.threads()) {
      diffs.add("threads " + machine.threads() + " vs " + current.threads());
    }
    return diffs.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", diffs));
  }

  /** The profile as pretty-printed JSON. */
  public String toJson() {
    JsonObject json = new JsonObject();
    json.addProperty("format", FORMAT);
    json.addProperty("bundle", bundle);
    json.addProperty("targetBytes", targetBytes);
    JsonObject m = new JsonObject();
    m.addProperty("cpu", machine.cpu());
    m.addProperty("cores", machine.cores());
    m.addProperty("threads", machine.threads());
    m.addProperty("passCostKey", machine.passCostKey());
    json.add("machine", m);
    json.addProperty("created", created);
    json.addProperty("prompts", prompts);
    json.addProperty("maxNewTokens", maxNewTokens);
    json.add("overall", choice(overall));
    JsonObject cats = new JsonObject();
    categories.forEach((name, c) -> cats.add(name, choice(c)));
    json.add("categories", cats);
    JsonArray all = new JsonArray();
    sweep.forEach(c -> all.add(choice(c)));
    json.add("sweep", all);
    return ReportJson.pretty(json);
  }

  /** Writes the profile to {@code file} whole: into a sibling first, then moved into place. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".partial");
    try {
      Files.writeString(tmp, toJson() + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Reads a profile.
   *
   * @throws ProfileException when the file is missing or unreadable, is not JSON, is of another
   *     format, or lacks a field or has one of the wrong type (the message names the file and the
   *     field)
   */
  public static TuneProfile read(Path file) throws ProfileException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ProfileException(
          "profile "
              + file
              + " does not exist: make one with specdec tune --prompts FILE"
              + " --profile "
              + file,
          e);
    } catch (IOException e) {
      throw new ProfileException("cannot read profile " + file + ": " + e.getMessage(), e);
    }
    JsonObject json;
    try {
      JsonElement root = JsonParser.parseString(text);
      if (!root.isJsonObject()) {
        throw new ProfileException(
            "profile " + file + " is not a specdec profile (expected a JSON object)");
      }
      json = root.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new ProfileException(
          "profile "
              + file
              + " is not valid JSON ("
              + rootCause(e)
              + "): make it again with specdec tune",
          e);
    }
    Fields f = new Fields(file, json);
    String format = f.string("format");
    if (!FORMAT.equals(format)) {
      throw new ProfileException(
          "profile "
              + file
              + " has format '"
              + format
              + "'; this specdec reads "
              + FORMAT
              + ": make it again with specdec tune");
    }
    Fields m = f.object("machine");
    Machine machine =
        new Machine(
            m.string("cpu"), m.integer("cores"), m.integer("threads"), m.string("passCostKey"));
    Map<String, Choice> categories = new LinkedHashMap<>();
    Fields cats = f.object("categories");
    for (String name : cats.json.keySet()) {
      categories.put(name, cats.object(name).choice());
    }
    List<Choice> sweep = new ArrayList<>();
    for (Fields c : f.objects("sweep")) {
      sweep.add(c.choice());
    }
    return new TuneProfile(
        f.string("bundle"),
        f.longInteger("targetBytes"),
        machine,
        f.string("created"),
        f.string("prompts"),
        f.integer("maxNewTokens"),
        f.object("overall").choice(),
        categories,
        sweep);
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static JsonObject choice(Choice c) {
    JsonObject json = new JsonObject();
    json.addProperty("name", c.name());
    json.addProperty("spec", c.spec());
    json.add("predictedSpeedup", ReportJson.number(c.predictedSpeedup()));
    json.add("measuredSpeedup", ReportJson.number(c.measuredSpeedup()));
    json.add("minSpeedup", ReportJson.number(c.minSpeedup()));
    json.add("maxSpeedup", ReportJson.number(c.maxSpeedup()));
    return json;
  }

  /** Typed access to a JSON object's fields, failing with the file and the field's path. */
  private record Fields(Path file, String path, JsonObject json) {
    Fields(Path file, JsonObject json) {
      this(file, "", json);
    }

    private JsonElement get(String key) throws ProfileException {
      JsonElement e = json.get(key);
      if (e == null) {
        throw new ProfileException(
            "profile "
                + file
                + ": missing \""
                + path
                + key
                + "\"; make it again with specdec tune");
      }
      return e;
    }

    private ProfileException wrong(String key, String expected) {
      return new ProfileException(
          "profile "
              + file
              + ": \""
              + path
              + key
              + "\" must be "
              + expected
              + ", was "
              + json.get(key));
    }

    String string(String key) throws ProfileException {
      JsonElement e = get(key);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw wrong(key, "a string");
      }
      return e.getAsString();
    }

    long longInteger(String key) throws ProfileException {
      JsonElement e = get(key);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw wrong(key, "an integer");
      }
      try {
        return e.getAsBigDecimal().longValueExact();
      } catch (ArithmeticException ex) {
        throw wrong(key, "an integer");
      }
    }

    int integer(String key) throws ProfileException {
      long v = longInteger(key);
      if (v != (int) v) {
        throw wrong(key, "an int");
      }
      return (int) v;
    }

    /** A number, or {@code null} for one not measured (NaN). */
    double number(String key) throws ProfileException {
      JsonElement e = get(key);
      if (e.isJsonNull()) {
        return Double.NaN;
      }
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw wrong(key, "a number or null");
      }
      return e.getAsDouble();
    }

    Fields object(String key) throws ProfileException {
      JsonElement e = get(key);
      if (!e.isJsonObject()) {
        throw wrong(key, "an object");
      }
      return new Fields(file, path + key + ".", e.getAsJsonObject());
    }

    List<Fields> objects(String key) throws ProfileException {
      JsonElement e = get(key);
      if (!e.isJsonArray()) {
        throw wrong(key, "an array");
      }
      List<Fields> out = new ArrayList<>();
      int i = 0;
      for (JsonElement item : e.getAsJsonArray()) {
        if (!item.isJsonObject()) {
          throw new ProfileException(
              "profile " + file + ": \"" + path + key + "[" + i + "]\" must be an object");
        }
        out.add(new Fields(file, path + key + "[" + i + "].", item.getAsJsonObject()));
        i++;
      }
      return out;
    }

    Choice choice() throws ProfileException {
      return new Choice(
          string("name"),
          string("spec"),
          number("predictedSpeedup"),
          number("measuredSpeedup"),
          number("minSpeedup"),
          number("maxSpeedup"));
    }
  }
}
