package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.model.TextTokenizer;
import dev.specdec.tree.TokenTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files the native libraries write outside the repository, measured in a fresh JVM. */
class NativeRuntimeSettingsTest {

  @Test
  void onnxRuntimesUnpackFolderIsFoundSoThatItCanBeDeletedAtExit() {
    Engine.create().close(); // loads ONNX Runtime, whose environment outlives the engine
    Path dir = NativeRuntimeSettings.ortTempDirectory();
    // Null would mean ONNX Runtime renamed its field: the folders would pile up again unseen.
    assertNotNull(dir, "OnnxRuntime.tempDirectory is no longer readable");
    assertTrue(dir.getFileName().toString().startsWith("onnxruntime-java"), dir.toString());
    assertEquals(
        Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize(),
        dir.toAbsolutePath().normalize().getParent());
  }

  @Test
  void aJvmThatDecodedLeavesNoOnnxRuntimeFolderAndUnpacksDjlIntoTheUserCache(@TempDir Path dir)
      throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path home = Files.createDirectories(dir.resolve("home"));
    runProbe(tmp, home);

    assertEquals(List.of(), list(tmp), "ONNX Runtime's unpack folder is deleted at exit");
    assertTrue(
        Files.isDirectory(home.resolve(".cache/specdec/djl/tokenizers")),
        "DJL unpacks into the per-user specdec cache: " + list(home));
    assertFalse(Files.exists(home.resolve(".djl.ai")), "nothing in ~/.djl.ai");
    assertFalse(Files.exists(home.resolve(".cache/Microsoft")), "no telemetry files");
  }

  @Test
  void aUserWithoutAUsableHomeGetsAPrivateDjlCacheDeletedAtExit(@TempDir Path dir)
      throws Exception {
    // The nobody user's home is /nonexistent: no ~/.cache can be made there.
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    runProbe(tmp, Path.of("/nonexistent-specdec-home"));
    assertEquals(List.of(), list(tmp), "the private DJL folder is deleted at exit too");
  }

  /** Runs {@link Probe} in a JVM with the given temporary directory and home; asserts it works. */
  private static void runProbe(Path tmp, Path home) throws Exception {
    ProcessBuilder probe =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.io.tmpdir=" + tmp,
                "-Duser.home=" + home,
                "-Djna.tmpdir=" + tmp.resolveSibling("jna"),
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName(),
                Fixtures.target().toString(),
                Fixtures.tokenizer().toString())
            .redirectErrorStream(true);
    probe.environment().remove("DJL_CACHE_DIR");
    probe.environment().remove("XDG_CACHE_HOME");
    probe.environment().put("HOME", home.toString());
    probe.environment().put("ORT_DISABLE_TELEMETRY", "1");
    Process process = probe.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.contains("decoded"), output);
  }

  @Test
  void anUnknownOnnxRuntimeLogLevelNamesTheValidOnes() {
    String old = System.getProperty(NativeRuntimeSettings.LOG_LEVEL);
    System.setProperty(NativeRuntimeSettings.LOG_LEVEL, "loud");
    try {
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class, NativeRuntimeSettings::logLevel);
      assertEquals(
          "system property specdec.ort.logLevel is 'loud'; expected verbose, info, warning, error"
              + " or fatal",
          e.getMessage());
    } finally {
      if (old == null) {
        System.clearProperty(NativeRuntimeSettings.LOG_LEVEL);
      } else {
        System.setProperty(NativeRuntimeSettings.LOG_LEVEL, old);
      }
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  /** Loads a model and a tokenizer, runs one pass, exits: what a short specdec run does. */
  public static final class Probe {
    private Probe() {}

    /** Arguments: the model file, the tokenizer file. */
    public static void main(String[] args) throws Exception {
      try (Engine engine = Engine.create();
          CausalLm lm = engine.loadCausalLm(Path.of(args[0]), Device.cpu());
          TextTokenizer tokenizer = engine.loadTokenizer(Path.of(args[1]))) {
        lm.forward(TokenTree.chainOf(new int[] {1, tokenizer.encode("hear me")[0]}));
        System.out.println("decoded");
      }
    }
  }
}
