package dev.specdec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's Java examples are these files, verbatim, and they run: against models/test-tiny,
 * from this module's directory (not the repository root), so only the bundle path is given.
 */
class ExamplesTest {
  private static final Path ROOT =
      Path.of(System.getProperty("specdec.root", "..")).toAbsolutePath().normalize();
  private static final String TEST_TINY = ROOT.resolve("models/test-tiny").toString();

  @Test
  void theReadmeHoldsEachExampleVerbatim() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    for (String example : List.of("QuickStart.java", "ManyThreads.java")) {
      String source =
          Files.readString(ROOT.resolve("examples/src/main/java/dev/specdec/examples/" + example));
      assertTrue(
          readme.contains("```java\n" + source + "```\n"),
          "README.md must show examples/.../" + example + " verbatim, in a ```java block");
    }
  }

  @Test
  void quickStartStreamsTextThenPrintsTheMeanAcceptedLength() throws Exception {
    String out = run(() -> QuickStart.main(new String[] {TEST_TINY}));
    String[] lines = out.split("\n");
    double tau = Double.parseDouble(lines[lines.length - 1]);
    assertTrue(tau >= 1.0 && tau <= 5.0, "tau " + tau + " in [1, k + 1]");
    assertTrue(out.length() > lines[lines.length - 1].length() + 1, "text streamed: " + out);
  }

  @Test
  void manyThreadsPrintsOneResultPerPromptInOrder() throws Exception {
    String out = run(() -> ManyThreads.main(new String[] {TEST_TINY}));
    long results =
        out.lines()
            .filter(
                l ->
                    l.startsWith("MAX_NEW_TOKENS: ")
                        || l.startsWith("STOP_STRING: ")
                        || l.startsWith("STOP_TOKEN: "))
            .count();
    assertEquals(3, results, out);
  }

  @FunctionalInterface
  private interface Main {
    void run() throws Exception;
  }

  /** What {@code main} prints to System.out. */
  private static String run(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
