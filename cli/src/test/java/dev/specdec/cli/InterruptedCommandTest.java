package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specdec} as a real process, stopped by SIGINT or SIGTERM while it decodes the test bundle:
 * it must finish cleanly (exit 130 or 143, what it had printed and well-formed), never crash the
 * JVM inside ONNX Runtime (no {@code hs_err_pid*.log}, no crash banner).
 *
 * <p>Each process is signalled only once its output shows that decoding is under way, and is given
 * work that lasts seconds after that (64 drafts per step, many rounds or prompts), so the signal
 * lands mid-run.
 */
class InterruptedCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();
  private static final long TIMEOUT_SECONDS = 120;

  @TempDir Path dir;

  @Test
  void sigintDuringDecodePrintsTheTokensSoFarAsJsonAndExits130() throws Exception {
    // The reproduction with --json: the default bundle decodes about 100 tokens/s on two
    // cores and its context holds 1024, so the run lasts seconds past the signal.
    Run run =
        start(
            "decode",
            "--bundle",
            Cli.root().resolve("models/specdec-java").toString(),
            "--prompt",
            "public final class Range {",
            "--max-new-tokens",
            "1000",
            "--drafter",
            "none",
            "--json");
    // --json prints nothing before the end: wait for ONNX Runtime, then for the model to load.
    run.awaitNativeRuntime();
    Thread.sleep(1500);
    run.signal("INT");
    run.awaitExit();

    assertEquals(ExitCodes.INTERRUPTED, run.exitCode, run.describe());
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertEquals("interrupted", json.get("stopReason").getAsString(), run.out());
    int newTokens = json.get("newTokens").getAsInt();
    assertTrue(newTokens < 1000, "decoding was cut short: " + newTokens + " tokens");
    assertEquals(newTokens, json.getAsJsonArray("tokenIds").size());
    assertTrue(
        run.err().contains("specdec: interrupted by SIGINT: stopped after " + newTokens),
        run.err());
    run.assertNoCrash();
  }

  @Test
  void sigtermDuringDecodePrintsTheTextAndStatsAndExits143() throws Exception {
    Run run =
        start(
            "decode",
            "--bundle",
            BUNDLE,
            "--prompt",
            "public final class Range {",
            "--max-new-tokens",
            "1000",
            "--drafter",
            "draft",
            "-k",
            "64");
    run.awaitOutput(out -> !out.isEmpty());
    run.process.destroy(); // SIGTERM
    run.awaitExit();

    assertEquals(ExitCodes.TERMINATED, run.exitCode, run.describe());
    assertTrue(run.out().contains("(stop: interrupted)"), run.out());
    assertTrue(run.err().contains("specdec: interrupted by SIGTERM"), run.err());
    run.assertNoCrash();
  }

  @Test
  void sigintDuringBenchPrintsAnIncompleteJsonReportAndExits130() throws Exception {
    Run run =
        start(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts(4).toString(),
            "--config",
            "draft=drafter=draft,k=64",
            "--max-new-tokens",
            "64",
            "--repeats",
            "50",
            "--json");
    run.awaitError(err -> err.contains("prompt 1/4"));
    Thread.sleep(300);
    run.signal("INT");
    run.awaitExit();

    assertEquals(ExitCodes.INTERRUPTED, run.exitCode, run.describe());
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertFalse(json.get("complete").getAsBoolean(), run.out());
    assertTrue(run.err().contains("specdec: interrupted by SIGINT"), run.err());
    run.assertNoCrash();
  }

  @Test
  void sigtermDuringEvalPublishesTheFinishedPromptsAsAnIncompleteReportAndExits143()
      throws Exception {
    Path out = dir.resolve("report");
    Run run =
        start(
            "eval",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts(200).toString(),
            "--config",
            "draft=drafter=draft,k=64",
            "--max-new-tokens",
            "64",
            "--warmup",
            "0",
            "--out",
            out.toString());
    run.awaitError(err -> err.contains("prompt 3/200"));
    run.process.destroy(); // SIGTERM
    run.awaitExit();

    assertEquals(ExitCodes.TERMINATED, run.exitCode, run.describe());
    JsonObject report =
        JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
    assertFalse(report.get("complete").getAsBoolean());
    int finished =
        report.getAsJsonArray("configs").get(0).getAsJsonObject().getAsJsonArray("prompts").size();
    assertTrue(finished >= 2 && finished < 200, finished + " prompts reported");
    assertTrue(Files.readString(out.resolve("summary.md")).contains("INCOMPLETE"));
    assertTrue(Files.isRegularFile(out.resolve("report.html")));
    try (Stream<Path> siblings = Files.list(dir)) {
      assertEquals(
          List.of(),
          siblings.filter(p -> p.getFileName().toString().startsWith(".report.")).toList(),
          "no staging directory is left behind");
    }
    run.assertNoCrash();
  }

  @Test
  void aSecondSigintExitsAtOnceWithoutACrash() throws Exception {
    Run run =
        start(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts(4).toString(),
            "--config",
            "draft=drafter=draft,k=64",
            "--max-new-tokens",
            "64",
            "--repeats",
            "50");
    run.awaitError(err -> err.contains("prompt 1/4"));
    run.signal("INT");
    run.signal("INT");
    run.awaitExit();

    assertEquals(ExitCodes.INTERRUPTED, run.exitCode, run.describe());
    run.assertNoCrash();
  }

  private Path prompts(int count) throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      lines.append("{\"id\": \"p").append(i).append("\", \"prompt\": \"public int f").append(i);
      lines.append("(int x) {\"}\n");
    }
    return Files.writeString(dir.resolve("prompts-" + count + ".jsonl"), lines.toString());
  }

  /** Starts {@code specdec args} in {@link #dir}, stdout and stderr going to files. */
  private Run start(String... args) throws IOException {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    List<String> command = new ArrayList<>();
    // A background job of a non-interactive shell ignores SIGINT, and the JVM keeps a signal that
    // was ignored at its start ignored: restore the default for the child when env can.
    if (envResetsSignals()) {
      command.addAll(List.of("env", "--default-signal=INT,TERM"));
    }
    command.addAll(
        List.of(
            java.toString(),
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            SpecdecCommand.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout-" + args[0] + ".txt");
    Path err = dir.resolve("stderr-" + args[0] + ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new Run(process, out, err, dir);
  }

  private static boolean envResetsSignals() {
    try {
      Process p =
          new ProcessBuilder("env", "--default-signal=INT", "true")
              .redirectErrorStream(true)
              .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A started process and where its output goes. */
  private static final class Run {
    final Process process;
    final Path out;
    final Path err;
    final Path dir;
    int exitCode = -1;

    Run(Process process, Path out, Path err, Path dir) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.dir = dir;
    }

    String out() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    void awaitAlive() {
      assertTrue(process.isAlive(), "the process ended before it was signalled");
    }

    /** Waits until the process has mapped ONNX Runtime's native library (Linux), or 1 s. */
    void awaitNativeRuntime() throws Exception {
      Path maps = Path.of("/proc/" + process.pid() + "/maps");
      if (!Files.isReadable(maps)) {
        Thread.sleep(1000);
        return;
      }
      await(maps, text -> text.contains("libonnxruntime"));
    }

    void awaitOutput(Predicate<String> ready) throws Exception {
      await(out, ready);
    }

    void awaitError(Predicate<String> ready) throws Exception {
      await(err, ready);
    }

    private void await(Path file, Predicate<String> ready) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
      while (!ready.test(Files.readString(file, StandardCharsets.UTF_8))) {
        if (!process.isAlive()) {
          fail("the process ended before it was signalled: " + describe());
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          fail("no progress within " + TIMEOUT_SECONDS + " s: " + describe());
        }
        Thread.sleep(20);
      }
    }

    /** Sends signal {@code name} (INT, TERM) to the process. */
    void signal(String name) throws Exception {
      awaitAlive();
      assumeFalse(name.equals("INT") && ignoresSigint(), "SIGINT is ignored in this process tree");
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill failed");
    }

    /** Whether the process ignores SIGINT (bit 2 of SigIgn in /proc/PID/status). */
    private boolean ignoresSigint() throws IOException {
      Path status = Path.of("/proc/" + process.pid() + "/status");
      if (!Files.isReadable(status)) {
        return false;
      }
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseLong(line.substring(7).trim(), 16) & 2) != 0;
        }
      }
      return false;
    }

    void awaitExit() throws Exception {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("did not exit within " + TIMEOUT_SECONDS + " s of the signal: " + describe());
      }
      exitCode = process.exitValue();
    }

    void assertNoCrash() throws IOException {
      try (Stream<Path> files = Files.list(dir)) {
        assertEquals(
            List.of(),
            files.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).toList(),
            "the JVM crashed: " + describe());
      }
      assertFalse(out().contains("A fatal error has been detected"), out());
      assertFalse(err().contains("A fatal error has been detected"), err());
      assertFalse(err().contains("unexpected failure"), err());
    }

    String describe() throws IOException {
      String o = out();
      return "exit "
          + exitCode
          + "; stderr: "
          + err()
          + "; stdout: "
          + (o.length() > 2000 ? o.substring(o.length() - 2000) : o);
    }
  }
}
