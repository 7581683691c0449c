package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxMedusaHeadsTest {
  private static final Path MEDUSA = Fixtures.testTiny().resolve("medusa.onnx");

  @Test
  void headsReproduceTheNaiveFormulaOfTheFixtureScript() throws Exception {
    JsonObject ref = Fixtures.json(Fixtures.root().resolve("testdata/medusa-reference.json"));
    JsonArray h = ref.getAsJsonArray("hidden_state");
    try (Engine engine = Engine.create();
        MedusaHeads heads = engine.loadMedusaHeads(MEDUSA, Device.cpu())) {
      assertEquals(4, heads.heads());
      assertEquals(64, heads.hiddenSize());
      assertEquals(512, heads.vocabSize());
      assertEquals("test-tiny-target", heads.targetName());
      float[] hidden = new float[h.size()];
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = h.get(i).getAsFloat();
      }
      float[] logits = new float[heads.heads() * heads.vocabSize()];
      heads.run(hidden, logits);
      int[] argmax = Fixtures.ints(ref.getAsJsonArray("argmax"));
      for (int k = 0; k < heads.heads(); k++) {
        JsonArray want = ref.getAsJsonArray("logits_first16").get(k).getAsJsonArray();
        for (int v = 0; v < 16; v++) {
          assertEquals(want.get(v).getAsFloat(), logits[k * 512 + v], 1e-4, "head " + k);
        }
        float[] row = new float[512];
        System.arraycopy(logits, k * 512, row, 0, 512);
        assertEquals(argmax[k], Fixtures.argmax(row), "argmax of head " + k);
      }
    }
  }

  @Test
  void acceptsItsTargetAndRejectsTheDraftWithAClearMessage() throws Exception {
    try (Engine engine = Engine.create();
        MedusaHeads heads = engine.loadMedusaHeads(MEDUSA, Device.cpu());
        CausalLm target = engine.loadCausalLm(Fixtures.target(), Device.cpu());
        CausalLm draft = engine.loadCausalLm(Fixtures.draft(), Device.cpu())) {
      heads.requireTarget(target.info());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> heads.requireTarget(draft.info()));
      assertTrue(e.getMessage().contains("made for target 'test-tiny-target'"), e.getMessage());
    }
  }

  @Test
  void aDecoderIsNotMedusaHeads() throws Exception {
    try (Engine engine = Engine.create()) {
      ModelContractException e =
          assertThrows(
              ModelContractException.class,
              () -> engine.loadMedusaHeads(Fixtures.target(), Device.cpu()));
      assertTrue(e.getMessage().contains("specdec.role"), e.getMessage());
    }
  }

  @Test
  void wrongArrayLengthsAreRejected() throws Exception {
    try (Engine engine = Engine.create();
        MedusaHeads heads = engine.loadMedusaHeads(MEDUSA, Device.cpu())) {
      assertThrows(
          IllegalArgumentException.class, () -> heads.run(new float[3], new float[4 * 512]));
    }
  }
}
