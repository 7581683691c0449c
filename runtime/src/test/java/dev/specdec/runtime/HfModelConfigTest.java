package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading sizes and special tokens from Hugging Face config files. */
class HfModelConfigTest {
  private static final String CONFIG =
      """
      {"num_hidden_layers": 2, "num_attention_heads": 4, "hidden_size": 32, "vocab_size": 100,
       "max_position_embeddings": 64, "bos_token_id": 1, "eos_token_id": [2, 7]%s}
      """;

  private static HfModelConfig read(Path dir, String extra, String generation) throws Exception {
    Files.writeString(dir.resolve("config.json"), CONFIG.formatted(extra));
    if (generation != null) {
      Files.writeString(dir.resolve("generation_config.json"), generation);
    }
    return HfModelConfig.read("m.onnx", dir);
  }

  @Test
  void defaultsKvHeadsAndHeadSizeAndTakesTheFirstEos(@TempDir Path dir) throws Exception {
    HfModelConfig c = read(dir, "", null);
    assertEquals(4, c.numKvHeads());
    assertEquals(8, c.headSize());
    assertEquals(1, c.bosTokenId());
    assertEquals(2, c.eosTokenId());
    assertEquals(dir.getFileName().toString(), c.name());
  }

  @Test
  void generationConfigWinsForSpecialTokens(@TempDir Path dir) throws Exception {
    HfModelConfig c =
        read(dir, ", \"num_key_value_heads\": 2", "{\"bos_token_id\": 5, \"eos_token_id\": 6}");
    assertEquals(2, c.numKvHeads());
    assertEquals(5, c.bosTokenId());
    assertEquals(6, c.eosTokenId());
  }

  @Test
  void aMissingIntegerIsNamed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"num_hidden_layers\": 2}");
    ModelContractException e =
        assertThrows(ModelContractException.class, () -> HfModelConfig.read("m.onnx", dir));
    assertTrue(e.getMessage().contains("lacks 'num_attention_heads' (an integer)"), e.getMessage());
  }

  @Test
  void aNonIntegerIsNamedWithWhatWasFound(@TempDir Path dir) {
    ModelContractException e =
        assertThrows(
            ModelContractException.class,
            () -> read(dir, ", \"num_key_value_heads\": \"two\"", null));
    assertTrue(
        e.getMessage().contains("'num_key_value_heads' must be an integer, found \"two\""),
        e.getMessage());
  }

  @Test
  void aMissingEosSaysWhereItWasLookedFor(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("config.json"),
        CONFIG.formatted("").replace("\"eos_token_id\": [2, 7]", "\"pad_token_id\": 0"));
    ModelContractException e =
        assertThrows(ModelContractException.class, () -> HfModelConfig.read("m.onnx", dir));
    assertTrue(e.getMessage().contains("'eos_token_id' is in neither"), e.getMessage());
  }

  @Test
  void noConfigJsonIsAMissingFileWithTheFix(@TempDir Path dir) {
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> HfModelConfig.read("m.onnx", dir));
    assertTrue(e.getReason().contains("put the model's config.json in"), e.getReason());
  }
}
