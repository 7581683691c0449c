package dev.specdec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed test bundle and variants of it, found through {@code specdec.root}. */
final class TestBundles {
  private TestBundles() {}

  static Path root() {
    return Path.of(System.getProperty("specdec.root", "..")).toAbsolutePath().normalize();
  }

  /** models/test-tiny: random-weight target, draft, Medusa heads and MTP module. */
  static Path testTiny() {
    return root().resolve("models/test-tiny");
  }

  /** A copy of test-tiny in {@code dir} with only its tokenizer and target. */
  static Path targetOnly(Path dir) throws IOException {
    Path tiny = testTiny();
    Files.copy(tiny.resolve("target.onnx"), dir.resolve("target.onnx"));
    Files.copy(tiny.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    Files.writeString(
        dir.resolve("specdec.json"),
        """
        {"format": "specdec-bundle/1", "name": "target-only", "tokenizer": "tokenizer.json",
         "target": "target.onnx",
         "generation": {"maxNewTokens": 12, "temperature": 0.0, "topK": 0, "topP": 1.0,
                        "draftTokens": 4}}
        """);
    return dir;
  }
}
