package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.Device;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CostModelTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  @Test
  void probeOfABundleWithADraftModelMeasuresItsInterferenceWithinRange() throws Exception {
    CostModel model =
        CostModel.probe(ModelBundle.load(TEST_TINY), Device.cpu(), EngineOptions.defaults());
    assertTrue(model.interference() >= 0 && model.interference() <= 1, "" + model.interference());
    assertTrue(model.target().nanos(1, 10) > 0);
    assertTrue(model.toText().contains("slowdown after drafter work"), model.toText());
  }
}
