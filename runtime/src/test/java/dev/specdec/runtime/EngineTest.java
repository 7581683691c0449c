package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.tree.TokenTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process-wide ONNX Runtime environment behind every engine. */
class EngineTest {

  @Test
  void aSecondEngineWithTheSameOptionsSharesTheEnvironment() throws Exception {
    try (Engine first = Engine.create();
        Engine second = Engine.create(first.options())) {
      assertEquals(first.options(), second.options());
      try (CausalLm a = first.loadCausalLm(Fixtures.draft(), Device.cpu());
          CausalLm b = second.loadCausalLm(Fixtures.draft(), Device.cpu())) {
        float[] la = new float[512];
        float[] lb = new float[512];
        a.forward(TokenTree.chain(1, 45, 97)).copyLogits(2, la);
        b.forward(TokenTree.chain(1, 45, 97)).copyLogits(2, lb);
        assertEquals(0f, Fixtures.maxAbsDiff(la, lb));
      }
    }
  }

  @Test
  void anEngineWithOtherThreadingOptionsFailsClearly() {
    try (Engine first = Engine.create()) {
      EngineOptions other =
          new EngineOptions(first.options().intraOpThreads() + 1, first.options().allowSpinning());
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> Engine.create(other));
      assertTrue(e.getMessage().contains("already has a global thread pool"), e.getMessage());
    }
  }

  @Test
  void zeroThreadsMeansEveryAvailableProcessor() {
    assertEquals(
        Runtime.getRuntime().availableProcessors(),
        new EngineOptions(0, false).resolved().intraOpThreads());
    assertThrows(IllegalArgumentException.class, () -> new EngineOptions(-1, false));
  }

  @Test
  void closingTheEngineClosesItsModels() throws Exception {
    CausalLm lm;
    try (Engine engine = Engine.create()) {
      lm = engine.loadCausalLm(Fixtures.draft(), Device.cpu());
    }
    assertThrows(IllegalStateException.class, () -> lm.forward(TokenTree.rootOnly(1)));
  }

  @Test
  void anEmptyOnnxFileIsNamedEmptyBeforeOnnxRuntimeReadsIt(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.onnx"));
    try (Engine engine = Engine.create()) {
      IOException e = assertThrows(IOException.class, () -> engine.loadCausalLm(empty));
      assertEquals(
          "model empty.onnx: " + empty + " is empty (0 bytes), not an ONNX model", e.getMessage());
      assertEquals(
          e.getMessage(),
          assertThrows(IOException.class, () -> engine.inspect(empty)).getMessage());
    }
  }

  @Test
  void aDirectoryGivenAsTheModelFileIsNamedADirectory(@TempDir Path dir) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("target.onnx"));
    try (Engine engine = Engine.create()) {
      IOException e =
          assertThrows(IOException.class, () -> engine.loadCausalLm(folder, Device.cpu()));
      assertEquals(
          "model target.onnx: " + folder + " is a directory, not an ONNX model file",
          e.getMessage());
    }
  }

  @Test
  void onnxRuntimeMessagesLoseTheirCppSourceLocationAndSignature() {
    assertEquals(
        "Error code - ORT_FAIL - message: Load model from x.onnx failed: ModelProto does not have a"
            + " graph.",
        OrtMessages.clean(
            "Error code - ORT_FAIL - message: Load model from x.onnx failed:/onnxruntime_src/"
                + "onnxruntime/core/graph/model.cc:177 onnxruntime::Model::Model(onnx::ModelProto&&,"
                + " const onnxruntime::PathString&, const onnxruntime::logging::Logger&, const"
                + " onnxruntime::ModelOptions&) ModelProto does not have a graph."));
    assertEquals("Protobuf parsing failed.", OrtMessages.clean("Protobuf parsing failed."));
  }
}
