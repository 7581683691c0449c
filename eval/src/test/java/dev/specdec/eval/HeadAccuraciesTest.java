package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeadAccuraciesTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  /** Heads for the test target whose every head ranks tokens by id: token r is at rank r. */
  private static final class RankById implements MedusaHeads {
    @Override
    public String name() {
      return "rank-by-id";
    }

    @Override
    public String targetName() {
      return "test-tiny-target";
    }

    @Override
    public int heads() {
      return 3;
    }

    @Override
    public int hiddenSize() {
      return 64;
    }

    @Override
    public int vocabSize() {
      return 512;
    }

    @Override
    public void run(float[] hiddenState, float[] logits) {
      for (int i = 0; i < logits.length; i++) {
        logits[i] = -(i % 512);
      }
    }

    @Override
    public void close() {}
  }

  @Test
  void countsTheTrueTokensRankPerHeadAcrossContextWindows() throws Exception {
    // 600 tokens: three windows of the target's 256 positions (256, 256, 88).
    SplittableRandom random = new SplittableRandom(5);
    int[] tokens = new int[600];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = random.nextInt(6); // ranks 0..5 under RankById
    }
    int[] windows = {256, 256, 88};
    try (Engine engine = Engine.create();
        CausalLm target = engine.loadCausalLm(TEST_TINY.resolve("target.onnx"), Device.cpu())) {
      HeadAccuracies acc = HeadAccuracyProbe.measure(target, new RankById(), tokens, 4);
      double[][] perRank = acc.perRank();
      for (int h = 0; h < 3; h++) {
        long[] hits = new long[4];
        long counted = 0;
        int start = 0;
        for (int length : windows) {
          for (int t = 0; t + h + 2 < length; t++) {
            counted++;
            int truth = tokens[start + t + h + 2];
            if (truth < 4) {
              hits[truth]++;
            }
          }
          start += length;
        }
        for (int r = 0; r < 4; r++) {
          assertEquals(
              (double) hits[r] / counted, perRank[h][r], 1e-12, "head " + h + " rank " + r);
        }
        if (h == 0) {
          assertEquals(counted, acc.positions());
        }
      }
      assertEquals(0, target.cacheLength(), "the target's cache is left empty");
    }
  }

  @Test
  void readsInlineAndJsonAndRejectsNonsense() throws Exception {
    HeadAccuracies inline = HeadAccuracies.read("0.5,0.2;0.3");
    assertEquals(0.2, inline.perRank()[0][1]);
    assertEquals(inline, HeadAccuracies.parseJson(inline.toJson(), "x"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HeadAccuracies.read("nope.json"));
    assertTrue(e.getMessage().contains("neither an existing file"), e.getMessage());
    IllegalArgumentException sum =
        assertThrows(IllegalArgumentException.class, () -> HeadAccuracies.read("0.7,0.7"));
    assertTrue(sum.getMessage().contains("not cumulative"), sum.getMessage());
  }
}
