package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.sampling.SamplingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundle manifests: the committed one loads, broken ones fail naming the problem. */
class ModelBundleTest {
  @TempDir Path dir;

  @Test
  void loadsTheTestTinyBundle() throws Exception {
    ModelBundle bundle = ModelBundle.load(Fixtures.testTiny());
    assertEquals("test-tiny", bundle.name());
    assertEquals(Fixtures.target(), bundle.target());
    assertEquals(Optional.of(Fixtures.draft()), bundle.draft());
    assertEquals(Fixtures.tokenizer(), bundle.tokenizer());
    assertEquals(new GenerationDefaults(64, 0.0, 0, 1.0, 4), bundle.generation());
    assertEquals(SamplingConfig.greedy(), bundle.generation().sampling());
    assertEquals(Optional.of(Fixtures.testTiny().resolve("medusa.onnx")), bundle.medusa());
  }

  @Test
  void aMissingDirectoryIsReported() {
    Path missing = dir.resolve("nowhere");
    assertEquals("bundle directory does not exist: " + missing, message(missing));
  }

  @Test
  void aMissingManifestIsReported() {
    assertEquals("no specdec.json in " + dir, message(dir));
  }

  @Test
  void aMissingTargetEntryIsReported() throws IOException {
    write("{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\"}", "tokenizer.json");
    assertEquals("specdec.json: 'target' is missing", message(dir));
  }

  @Test
  void aPathLeavingTheBundleIsRejected() throws IOException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\","
            + "\"draft\":\"../x.onnx\"}",
        "tokenizer.json",
        "target.onnx");
    Files.writeString(dir.resolveSibling("x.onnx"), "outside");
    assertEquals(
        "specdec.json: path '../x.onnx' of 'draft' leaves the bundle directory " + dir,
        message(dir));
  }

  @Test
  void anAbsolutePathIsRejected() throws IOException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\""
            + dir.resolve("target.onnx")
            + "\"}",
        "tokenizer.json",
        "target.onnx");
    assertTrue(message(dir).contains("must be a relative path inside the bundle directory"));
  }

  @Test
  void aMissingTargetFileIsReported() throws IOException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\"}",
        "tokenizer.json");
    assertEquals("specdec.json: target file target.onnx does not exist in " + dir, message(dir));
  }

  @Test
  void invalidGenerationSettingsNameTheField() throws IOException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\","
            + "\"generation\":{\"temperature\":-1}}",
        "tokenizer.json",
        "target.onnx");
    assertEquals(
        "specdec.json: generation: temperature must be a finite number >= 0 (0 = greedy), was -1.0",
        message(dir));
  }

  @Test
  void unknownKeysAndFormatsAreRejected() throws IOException {
    write("{\"format\":\"specdec-bundle/2\"}");
    assertEquals(
        "specdec.json: unsupported format 'specdec-bundle/2'; expected 'specdec-bundle/1'",
        message(dir));
    write("{\"format\":\"specdec-bundle/1\",\"darft\":\"d.onnx\"}");
    assertTrue(message(dir).startsWith("specdec.json: unknown key 'darft'"));
    write("{not json");
    assertTrue(message(dir).startsWith("specdec.json in " + dir + " is not valid JSON"));
  }

  @Test
  void missingGenerationFieldsTakeTheDefaults() throws IOException, BundleException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\","
            + "\"generation\":{\"draftTokens\":8}}",
        "tokenizer.json",
        "target.onnx");
    ModelBundle bundle = ModelBundle.load(dir);
    assertEquals(new GenerationDefaults(64, 0.0, 0, 1.0, 8), bundle.generation());
    assertEquals(dir.getFileName().toString(), bundle.name());
    assertEquals(Optional.empty(), bundle.draft());
  }

  @Test
  void quantizationIsReadPerModel() throws IOException, BundleException {
    write(
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\","
            + "\"draft\":\"draft.onnx\",\"quantization\":{\"target\":{\"bits\":4,\"block\":32,"
            + "\"accuracyLevel\":4},\"draft\":{\"bits\":8,\"block\":64,\"accuracyLevel\":0}}}",
        "tokenizer.json",
        "target.onnx",
        "draft.onnx");
    ModelBundle bundle = ModelBundle.load(dir);
    assertEquals(
        java.util.Map.of("target", new Quantization(4, 32, 4), "draft", new Quantization(8, 64, 0)),
        bundle.quantization());
    assertEquals(java.util.Map.of(), ModelBundle.load(Fixtures.testTiny()).quantization());
  }

  @Test
  void badQuantizationEntriesNameTheFieldAndTheValidValues() throws IOException {
    String head =
        "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\","
            + "\"quantization\":";
    write(
        head + "{\"target\":{\"bits\":3,\"block\":32,\"accuracyLevel\":4}}}",
        "tokenizer.json",
        "target.onnx");
    assertEquals("specdec.json: quantization.target: bits must be 4 or 8, was 3", message(dir));
    write(head + "{\"draft\":{\"bits\":4,\"block\":32,\"accuracyLevel\":4}}}");
    assertEquals(
        "specdec.json: 'quantization.draft' names no model of this bundle; expected one of"
            + " [target]",
        message(dir));
    write(head + "{\"target\":{\"bits\":4,\"block\":32}}}");
    assertEquals("specdec.json: 'quantization.target.accuracyLevel' is missing", message(dir));
    write(head + "{\"target\":{\"bits\":4,\"block\":32,\"accuracyLevel\":4,\"zp\":1}}}");
    assertTrue(message(dir).startsWith("specdec.json: unknown key 'quantization.target.zp'"));
  }

  @Test
  void quantizationValidatesItsSettings() {
    assertEquals(
        "block must be a power of two in [16, 256] (16, 32, 64, 128, 256), was 48",
        assertThrows(IllegalArgumentException.class, () -> new Quantization(8, 48, 4))
            .getMessage());
    assertEquals(
        "accuracyLevel must be in [0, 4] (0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8), was 5",
        assertThrows(IllegalArgumentException.class, () -> new Quantization(8, 32, 5))
            .getMessage());
    assertEquals(
        Optional.of(new Quantization(4, 32, 4)),
        Quantization.fromMetadata(
            java.util.Map.of(
                Quantization.METADATA_KEY,
                "{\"bits\":4,\"block\":32,\"accuracyLevel\":4,\"matmuls\":17}")));
    assertEquals(Optional.empty(), Quantization.fromMetadata(java.util.Map.of()));
    assertEquals(
        "int4, block 32, accuracy level 4 (int8 activations)",
        new Quantization(4, 32, 4).describe());
  }

  @Test
  void aDirectoryWhereTheTargetShouldBeIsNamedADirectory() throws IOException {
    write(BUNDLE_OF_TWO, "tokenizer.json");
    Files.createDirectory(dir.resolve("target.onnx"));
    assertEquals(
        "specdec.json: target target.onnx in " + dir + " is a directory, not a file", message(dir));
  }

  @Test
  void anEmptyTargetIsNamedEmptyNotAModel() throws IOException {
    write(BUNDLE_OF_TWO, "tokenizer.json");
    Files.createFile(dir.resolve("target.onnx"));
    assertEquals(
        "specdec.json: target file target.onnx in "
            + dir
            + " is empty (0 bytes), not an ONNX model: copy or export it again",
        message(dir));
  }

  private static final String BUNDLE_OF_TWO =
      "{\"format\":\"specdec-bundle/1\",\"tokenizer\":\"tokenizer.json\",\"target\":\"target.onnx\"}";

  private void write(String manifest, String... files) throws IOException {
    Files.writeString(dir.resolve(ModelBundle.MANIFEST), manifest);
    for (String file : files) {
      Files.writeString(dir.resolve(file), "x");
    }
  }

  private static String message(Path bundle) {
    return assertThrows(BundleException.class, () -> ModelBundle.load(bundle)).getMessage();
  }
}
