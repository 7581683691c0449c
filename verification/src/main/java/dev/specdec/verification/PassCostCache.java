package dev.specdec.verification;

import dev.specdec.model.CausalLm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Measured {@link PassCost}s kept on disk, one small text file per key, so a model is probed once
 * per machine: {@code $XDG_CACHE_HOME/specdec/pass-costs} or {@code ~/.cache/specdec/pass-costs}.
 *
 * <p>The key names what the cost depends on (model file with its size and modification time,
 * device, threads, spinning); a file is found by a hash of the key and holds the key itself, so a
 * changed model file is a different key and never reads a stale cost. A file that does not parse
 * counts as absent.
 */
public final class PassCostCache {
  private static final String HEADER = "specdec pass cost v1";
  private final Path dir;

  private PassCostCache(Path dir) {
    this.dir = dir;
  }

  /** A cache in {@code dir} (created on the first save). */
  public static PassCostCache in(Path dir) {
    return new PassCostCache(Objects.requireNonNull(dir, "dir"));
  }

  /** The system property that, when set, names the cache directory instead (tests use it). */
  public static final String DIRECTORY_PROPERTY = "specdec.passCostCache";

  /**
   * The per-user cache: the directory {@value #DIRECTORY_PROPERTY} names, else {@code
   * $XDG_CACHE_HOME/specdec/pass-costs} when that variable holds an absolute path, else {@code
   * ~/.cache/specdec/pass-costs}.
   */
  public static PassCostCache user() {
    String property = System.getProperty(DIRECTORY_PROPERTY);
    if (property != null && !property.isBlank()) {
      return in(Path.of(property));
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return in(base.resolve("specdec").resolve("pass-costs"));
  }

  /**
   * A key for a model file: its absolute path, size and modification time, and the setting it runs
   * under ({@code device}, threads, spinning as the caller writes them).
   */
  public static String keyFor(Path model, String setting) throws IOException {
    Path real = model.toAbsolutePath().normalize();
    return real
        + "|"
        + Files.size(real)
        + "|"
        + Files.getLastModifiedTime(real).toMillis()
        + "|"
        + setting;
  }

  /**
   * The cost of {@code model}, loaded from {@code file} under {@code setting}: the cached one, or a
   * fresh {@link PassCost#probe(CausalLm, String)} (which leaves the model's cache empty), saved. A
   * cache that cannot be written costs a probe next time, nothing else.
   *
   * @param refresh probe even when a cached cost exists
   * @throws IOException when the model file cannot be read for its key
   */
  public PassCost costOf(CausalLm model, Path file, String setting, boolean refresh)
      throws IOException {
    String key = keyFor(file, setting);
    if (!refresh) {
      Optional<PassCost> cached = load(key);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    PassCost cost = PassCost.probe(model, key);
    trySave(cost);
    return cost;
  }

  /** Saves {@code cost}, leaving the cache as it was when it cannot be written; true on success. */
  public boolean trySave(PassCost cost) {
    try {
      save(cost);
      return true;
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // a read-only or full cache directory: the next process probes again
    }
  }

  /** Where {@code key}'s cost lives. */
  public Path file(String key) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(hash, 0, 12) + ".cost");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The cost saved for {@code key}, if any (a file that does not parse is ignored). */
  public Optional<PassCost> load(String key) {
    Path file = file(key);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), key);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Saves {@code cost} under its key, replacing what was there (write, then atomic rename). */
  public void save(PassCost cost) throws IOException {
    Files.createDirectories(dir);
    Path file = file(cost.key());
    Path tmp = Files.createTempFile(dir, "cost-", ".tmp");
    Files.write(tmp, format(cost), StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes {@code key}'s cost; true when there was one. */
  public boolean invalidate(String key) throws IOException {
    return Files.deleteIfExists(file(key));
  }

  static List<String> format(PassCost cost) {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add("key " + cost.key());
    lines.add("tokens " + join(cost.tokens()));
    int[] pasts = cost.pasts();
    double[][] nanos = cost.nanos();
    for (int p = 0; p < pasts.length; p++) {
      StringBuilder line = new StringBuilder("past ").append(pasts[p]);
      for (double v : nanos[p]) {
        line.append(' ').append(v);
      }
      lines.add(line.toString());
    }
    return lines;
  }

  static Optional<PassCost> parse(List<String> lines, String key) {
    if (lines.size() != 5 || !lines.get(0).equals(HEADER) || !lines.get(1).equals("key " + key)) {
      return Optional.empty();
    }
    int[] tokens = ints(lines.get(2), "tokens");
    int[] pasts = new int[2];
    double[][] nanos = new double[2][];
    for (int p = 0; p < 2; p++) {
      String[] parts = lines.get(3 + p).split(" ");
      if (!parts[0].equals("past")) {
        return Optional.empty();
      }
      pasts[p] = Integer.parseInt(parts[1]);
      nanos[p] = new double[parts.length - 2];
      for (int i = 2; i < parts.length; i++) {
        nanos[p][i - 2] = Double.parseDouble(parts[i]);
      }
    }
    return Optional.of(new PassCost(key, tokens, pasts, nanos));
  }

  private static int[] ints(String line, String name) {
    String[] parts = line.split(" ");
    if (!parts[0].equals(name)) {
      throw new IllegalArgumentException("expected " + name + ", found " + parts[0]);
    }
    int[] out = new int[parts.length - 1];
    for (int i = 1; i < parts.length; i++) {
      out[i - 1] = Integer.parseInt(parts[i]);
    }
    return out;
  }

  private static String join(int[] values) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      s.append(i == 0 ? "" : " ").append(values[i]);
    }
    return s.toString();
  }
}
