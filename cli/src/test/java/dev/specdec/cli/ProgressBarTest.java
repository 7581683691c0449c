package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.specdec.DrafterSpec;
import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.sampling.SamplingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static final BenchConfig CONFIG =
      new BenchConfig(
          "draft", new DecodeOptions(DrafterSpec.draftModel(4), SamplingConfig.greedy(), 0, 8));

  @Test
  void redrawsOneLineInPlaceAndEndsIt() {
    StringWriter err = new StringWriter();
    ProgressBar bar = ProgressBar.always(new PrintWriter(err, true));
    bar.onPrompt(CONFIG, 1, 2);
    bar.onPrompt(CONFIG, 2, 2);
    bar.finish();
    String dots = ".".repeat(30);
    String half = "#".repeat(15) + ".".repeat(15);
    assertEquals(
        String.format("\rdraft            [%s] 1/2\rdraft            [%s] 2/2%n", dots, half),
        err.toString());
  }
}
