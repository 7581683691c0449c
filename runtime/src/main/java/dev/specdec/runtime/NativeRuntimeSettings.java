package dev.specdec.runtime;

import ai.onnxruntime.OrtLoggingLevel;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What specdec sets up around the native code it runs, so that it writes nothing outside the places
 * the README's "Files specdec writes" lists and prints nothing raw on stderr.
 *
 * <ul>
 *   <li>ONNX Runtime's telemetry is off ({@code setTelemetry(false)}) unless the system property
 *       {@value #TELEMETRY} is {@code true}. Its Linux build still creates a device id and an
 *       events database under {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime} when its
 *       environment starts, unless the environment variable {@code ORT_DISABLE_TELEMETRY=1} was set
 *       before the process started, which Java cannot do for itself: the launcher and the build set
 *       it.
 *   <li>ONNX Runtime logs only fatal errors unless {@value #LOG_LEVEL} names another level ({@code
 *       verbose}, {@code info}, {@code warning}, {@code error}): its log lines carry ANSI colour
 *       codes, and a failed run is reported anyway, by the exception specdec turns into a message.
 *   <li>ONNX Runtime's Java API unpacks its native libraries into a fresh {@code onnxruntime-java*}
 *       folder in the temporary directory at every start and leaves the folder behind (it asks for
 *       the folder's deletion before its files', which fails); a shutdown hook deletes the folder
 *       with its files.
 *   <li>DJL unpacks the tokenizers' native library (15 MB) into {@code DJL_CACHE_DIR}, by default
 *       {@code ~/.djl.ai}; unless {@code DJL_CACHE_DIR} is set (environment or system property),
 *       specdec points it at {@link #djlCacheDirectory()}, a per-user cache (see {@link
 *       #configureDjlCache()} for a user without a usable home).
 * </ul>
 */
final class NativeRuntimeSettings {
  /** System property that turns ONNX Runtime's telemetry back on: {@code true}. */
  static final String TELEMETRY = "specdec.ort.telemetry";

  /** System property with ONNX Runtime's log level: verbose, info, warning, error or fatal. */
  static final String LOG_LEVEL = "specdec.ort.logLevel";

  /** The environment variable and system property DJL reads its cache directory from. */
  static final String DJL_CACHE_DIR = "DJL_CACHE_DIR";

  private NativeRuntimeSettings() {}

  /** Whether ONNX Runtime may collect telemetry: only when {@value #TELEMETRY} is true. */
  static boolean telemetry() {
    return Boolean.parseBoolean(System.getProperty(TELEMETRY, "false"));
  }

  /**
   * ONNX Runtime's log level: {@value #LOG_LEVEL}, default fatal.
   *
   * @throws IllegalStateException naming the valid levels when the property holds another value
   */
  static OrtLoggingLevel logLevel() {
    String level = System.getProperty(LOG_LEVEL, "fatal").strip().toLowerCase(Locale.ROOT);
    return switch (level) {
      case "verbose" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE;
      case "info" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO;
      case "warning" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING;
      case "error" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
      case "fatal" -> OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
      default ->
          throw new IllegalStateException(
              "system property "
                  + LOG_LEVEL
                  + " is '"
                  + level
                  + "'; expected verbose, info, warning, error or fatal");
    };
  }

  /**
   * The per-user cache for DJL's native library: {@code $XDG_CACHE_HOME/specdec/djl} when that
   * variable holds an absolute path, else {@code ~/.cache/specdec/djl}.
   */
  static Path djlCacheDirectory() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("specdec").resolve("djl");
  }

  /**
   * Where DJL will unpack its native library: {@code DJL_CACHE_DIR} from the environment or the
   * system properties, after setting the property when neither names one: to {@link
   * #djlCacheDirectory()}, or, for a user whose home cannot hold it (the {@code nobody} user's home
   * is {@code /nonexistent}), to a fresh private temporary folder deleted at exit. Not a fixed name
   * in the shared temporary directory: another user could plant a library there. Call before the
   * first tokenizer is created.
   */
  static synchronized Path configureDjlCache() {
    String env = System.getenv(DJL_CACHE_DIR);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    String property = System.getProperty(DJL_CACHE_DIR);
    if (property == null || property.isBlank()) {
      Path dir = djlCacheDirectory();
      if (!canCreate(dir)) {
        try {
          dir = Files.createTempDirectory("specdec-djl-");
          Path created = dir;
          Runtime.getRuntime()
              .addShutdownHook(new Thread(() -> deleteTree(created), "specdec-djl-temp-cleanup"));
        } catch (IOException e) {
          // Leave DJL its own default; the load's error message names DJL_CACHE_DIR.
          return dir;
        }
      }
      property = dir.toString();
      System.setProperty(DJL_CACHE_DIR, property);
    }
    return Path.of(property);
  }

  /** Whether {@code dir} exists as a writable directory or its first existing ancestor is one. */
  private static boolean canCreate(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p != null && Files.isDirectory(p) && Files.isWritable(p);
  }

  /**
   * The folder ONNX Runtime unpacked its native libraries into, read from its private field {@code
   * OnnxRuntime.tempDirectory}; null when there is none or the field cannot be read (another ONNX
   * Runtime version, a module path that forbids the access).
   */
  static Path ortTempDirectory() {
    try {
      Field field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
      field.setAccessible(true);
      return field.get(null) instanceof Path path ? path : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Deletes ONNX Runtime's native library folder when the JVM exits; call once it is loaded. */
  static void deleteOrtTempDirectoryAtExit() {
    Path dir = ortTempDirectory();
    if (dir == null) {
      return;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> deleteTree(dir), "specdec-onnxruntime-temp-cleanup"));
  }

  /** Deletes {@code dir} and what it holds, as far as the platform lets (best effort). */
  static void deleteTree(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        // Loaded libraries stay mapped after deletion on Linux and macOS; Windows refuses.
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort at exit: there is no one left to tell.
    }
  }
}
