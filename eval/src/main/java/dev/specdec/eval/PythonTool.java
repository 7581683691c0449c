package dev.specdec.eval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One of the Python tools shipped inside this jar ({@code tools/*.py}, under {@code
 * dev/specdec/eval/python/}), run with an external Python 3: the graph rewriting and importing that
 * ONNX Runtime's Java API cannot do.
 *
 * <p>The Python found is, in order: the {@code specdec.python} system property, the {@code
 * SPECDEC_PYTHON} environment variable, {@code /usr/bin/python3} when it exists, else {@code
 * python3} on the {@code PATH}. A run unpacks the tool and the modules it imports into a private
 * temporary folder, deleted afterwards.
 *
 * @param python the Python command (a name or a path)
 * @param script the tool's file name, e.g. {@code quantize.py}
 * @param modules the other files it imports, unpacked beside it
 */
record PythonTool(String python, String script, List<String> modules) {
  /** Where the build puts the scripts inside the jar. */
  private static final String RESOURCES = "python/";

  /**
   * What the wrapper reports when an import fails: exit status 3 and one stderr line {@code missing
   * Python module NAME}. A tool's own {@code SystemExit} passes through unchanged; any other
   * exception prints its traceback and exits with 4.
   */
  static final int MISSING_MODULE = 3;

  /** An exception other than {@code SystemExit} escaped the tool (a bug in it). */
  static final int CRASHED = 4;

  private static final String WRAPPER =
      """
      import runpy, sys, traceback
      sys.argv = sys.argv[1:]
      sys.path.insert(0, __import__("os").path.dirname(sys.argv[0]))
      try:
          runpy.run_path(sys.argv[0], run_name="__main__")
      except ModuleNotFoundError as e:
          print("missing Python module %s" % e.name, file=sys.stderr)
          sys.exit(3)
      except Exception:
          traceback.print_exc()
          sys.exit(4)
      """;

  /** Validates presence and copies the list. */
  PythonTool {
    Objects.requireNonNull(python, "python");
    Objects.requireNonNull(script, "script");
    modules = List.copyOf(modules);
    if (python.isBlank()) {
      throw new IllegalArgumentException("python must name a command, was blank");
    }
  }

  /** The tool run with the Python found as the class comment says. */
  static PythonTool of(String script, List<String> modules) {
    return new PythonTool(defaultPython(), script, modules);
  }

  /** The Python command the class comment names. */
  static String defaultPython() {
    String property = System.getProperty("specdec.python");
    if (property != null && !property.isBlank()) {
      return property;
    }
    String env = System.getenv("SPECDEC_PYTHON");
    if (env != null && !env.isBlank()) {
      return env;
    }
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** The same tool run with {@code other}. */
  PythonTool withPython(String other) {
    return new PythonTool(other, script, modules);
  }

  /**
   * How a run ended.
   *
   * @param exitCode the process's exit status ({@link #MISSING_MODULE}, {@link #CRASHED} or the
   *     tool's own)
   * @param stdout everything it printed on standard output
   * @param stderr everything it printed on standard error, stripped
   */
  record Outcome(int exitCode, String stdout, String stderr) {
    /**
     * The tool's own one-line error: stderr without a {@code SCRIPT: error:} or {@code error:}
     * prefix (argparse's and the tools' convention); for a module the wrapper found missing, which
     * one and the Debian package that usually has it.
     */
    String errorMessage() {
      if (exitCode == MISSING_MODULE && stderr.startsWith("missing Python module ")) {
        String module = stderr.substring("missing Python module ".length()).strip();
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        return "the Python module '"
            + module
            + "' is missing (Debian: apt-get install python3-"
            + top
            + ")";
      }
      return stderr.replaceFirst("(?s)^.*?(\\S+\\.py: )?error: ", "").strip();
    }
  }

  /**
   * Runs the tool with {@code args} and waits at most {@code timeoutMinutes}.
   *
   * @throws IOException when Python cannot be started (the message names it), or the scripts cannot
   *     be unpacked
   * @throws InterruptedException when interrupted while waiting (the process is killed)
   * @throws java.util.concurrent.TimeoutException when it ran too long (the process is killed)
   */
  Outcome run(List<String> args, long timeoutMinutes)
      throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
    Path dir = Files.createTempDirectory("specdec-python");
    try {
      for (String file : concat(script, modules)) {
        try (InputStream s = PythonTool.class.getResourceAsStream(RESOURCES + file)) {
          if (s == null) {
            throw new IllegalStateException(file + " is missing from the specdec-eval jar");
          }
          Files.write(dir.resolve(file), s.readAllBytes());
        }
      }
      List<String> command = new ArrayList<>(List.of(python, "-c", WRAPPER));
      command.add(dir.resolve(script).toString());
      command.addAll(args);
      Process process;
      try {
        process = new ProcessBuilder(command).start();
      } catch (IOException e) {
        throw new IOException("'" + python + "' could not be started (" + e.getMessage() + ")", e);
      }
      process.getOutputStream().close();
      // Read both pipes to the end (stderr on its own thread), so that neither can fill up and
      // block the script.
      CompletableFuture<String> stderr =
          CompletableFuture.supplyAsync(
              () -> {
                try (InputStream err = process.getErrorStream()) {
                  return new String(err.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  return "(stderr unreadable: " + e.getMessage() + ")";
                }
              });
      String stdout;
      try (InputStream o = process.getInputStream()) {
        stdout = new String(o.readAllBytes(), StandardCharsets.UTF_8);
      }
      try {
        if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new java.util.concurrent.TimeoutException(
              "tools/" + script + " did not finish within " + timeoutMinutes + " minutes");
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        throw e;
      }
      return new Outcome(process.exitValue(), stdout, stderr.join().strip());
    } finally {
      deleteTree(dir);
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  /** Deletes {@code dir} and everything in it; nothing when it does not exist. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
