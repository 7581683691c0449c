package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.NumericalException;
import dev.specdec.tree.TokenTree;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Models that break the contract are rejected at load with messages that say what and where. */
class ModelContractTest {
  private static Engine engine;

  @BeforeAll
  static void create() {
    engine = Engine.create();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static String rejection(String badModel) {
    return assertThrows(
            ModelContractException.class,
            () -> engine.loadCausalLm(Fixtures.badModel(badModel), Device.cpu()))
        .getMessage();
  }

  @Test
  void rejectsAModelWithoutPositionIds() {
    String message = rejection("missing-position-ids");
    assertTrue(
        message.startsWith("model missing-position-ids.onnx: input 'position_ids' missing;"),
        message);
    assertTrue(
        message.contains("expected inputs [input_ids, position_ids, attention_mask"), message);
    assertTrue(message.contains("found [input_ids, attention_mask, past_key_0"), message);
  }

  @Test
  void rejectsAModelWithAnExtraInput() {
    String message = rejection("extra-input");
    assertTrue(
        message.startsWith("model extra-input.onnx: unexpected input 'token_type_ids';"), message);
  }

  @Test
  void rejectsAHeadMajorCache() {
    assertEquals(
        "model head-major-cache.onnx: expected float32 [batch, past, 2, 4] for past_key_0, found"
            + " float32 [batch, 2, past, 4]",
        rejection("head-major-cache"));
  }

  @Test
  void rejectsAModelWithoutSpecdecMetadata() {
    String message = rejection("no-metadata");
    assertTrue(
        message.startsWith("model no-metadata.onnx: metadata key 'specdec.contract' missing"),
        message);
  }

  @Test
  void nanLogitsRaiseANumericalExceptionNamingPassRowAndToken() throws Exception {
    try (CausalLm lm = engine.loadCausalLm(Fixtures.badModel("nan-logits"), Device.cpu())) {
      NumericalException e =
          assertThrows(NumericalException.class, () -> lm.forward(TokenTree.chain(8, 9)));
      assertEquals(
          "model 'nan-logits': pass 1 (T=2, past=0): logits row 0 contains NaN at token 7 (check"
              + " the model's weights and its inputs' dtypes)",
          e.getMessage());
      assertThrows(IllegalStateException.class, () -> lm.commitPrefix(1)); // nothing to commit
    }
  }

  @Test
  void aDraftWithAnotherVocabularyIsRejectedForTheTarget() throws Exception {
    try (CausalLm target = engine.loadCausalLm(Fixtures.target(), Device.cpu());
        CausalLm draft = engine.loadCausalLm(Fixtures.badModel("draft-vocab-300"), Device.cpu())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ModelInfo.requireSameVocabulary(target.info(), draft.info()));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "draft vocabulary (300) differs from target vocabulary (512): a drafter must"
                      + " share the target's tokenizer"),
          e.getMessage());
      ModelInfo.requireSameVocabulary(target.info(), target.info());
    }
  }

  @Test
  void aMissingModelFileIsNoSuchFile() {
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> engine.loadCausalLm(Fixtures.testTiny().resolve("nope.onnx"), Device.cpu()));
    assertTrue(e.getMessage().contains("nope.onnx"), e.getMessage());
  }

  @Test
  void cudaOnACpuOnlyBuildIsDeviceUnavailableWithHowToGetIt() {
    assumeFalse(
        OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime build has the CUDA execution provider: the CPU-only error cannot occur");
    DeviceUnavailableException e =
        assertThrows(
            DeviceUnavailableException.class,
            () -> engine.loadCausalLm(Fixtures.target(), new Device.Cuda(0)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "CUDA requested (cuda:0) but this ONNX Runtime build has no CUDA execution"
                    + " provider"),
        e.getMessage());
    assertTrue(e.getMessage().contains("build with -Pcuda (artifact onnxruntime_gpu)"));
    assertTrue(e.getMessage().contains("CUDA 12 + cuDNN 9"));
  }
}
