package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.testing.FakeLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassCostTest {
  private static final PassCost GRID =
      new PassCost(
          "grid",
          new int[] {1, 2, 4, 8},
          new int[] {0, 100},
          new double[][] {{10, 12, 16, 24}, {20, 22, 26, 34}});

  @Test
  void interpolatesLinearlyInTokensAndInPastLength() {
    assertEquals(10, GRID.nanos(1, 0), 1e-9);
    assertEquals(14, GRID.nanos(3, 0), 1e-9);
    assertEquals(20, GRID.nanos(6, 0), 1e-9);
    assertEquals(15, GRID.nanos(1, 50), 1e-9);
    assertEquals(25, GRID.nanos(6, 50), 1e-9);
    assertEquals(1.6, GRID.relative(4, 0), 1e-9);
  }

  @Test
  void extrapolatesAlongTheLastSegmentsAndNeverBelowOneToken() {
    assertEquals(40, GRID.nanos(16, 0), 1e-9, "T beyond the grid");
    assertEquals(30, GRID.nanos(1, 200), 1e-9, "P beyond the grid");
    assertEquals(10, GRID.nanos(1, -500), 1e-9, "never below the cheapest cell");
  }

  @Test
  void rejectsGridsThatCannotBeInterpolated() {
    double[][] two = {{1, 2}, {1, 2}};
    assertThrows(
        IllegalArgumentException.class,
        () -> new PassCost("k", new int[] {2, 3}, new int[] {0, 1}, two));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PassCost("k", new int[] {1, 1}, new int[] {0, 1}, two));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PassCost("k", new int[] {1, 2}, new int[] {5, 5}, two));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new PassCost("k", new int[] {1, 2}, new int[] {0, 1}, new double[][] {{1, 0}, {1, 2}}));
  }

  @Test
  void aProbeMeasuresEveryCellNonDecreasingInTokensAndLeavesTheCacheEmpty() {
    FakeLm model = FakeLm.target(16, 128, 3, 1.0);
    PassCost cost = PassCost.probe(model, "fake", new int[] {1, 2, 4, 8}, new int[] {4, 64}, 3);
    assertEquals("fake", cost.key());
    for (double[] row : cost.nanos()) {
      for (int t = 1; t < row.length; t++) {
        assertTrue(row[t] >= row[t - 1], "non-decreasing: " + cost);
      }
    }
    assertEquals(0, model.cacheLength());
    assertThrows(
        IllegalArgumentException.class,
        () -> PassCost.probe(model, "fake", new int[] {1, 64}, new int[] {4, 100}, 1),
        "the grid must fit the model");
  }

  @Test
  void theCacheGivesBackWhatWasSaved(@TempDir Path dir) throws Exception {
    PassCostCache cache = PassCostCache.in(dir.resolve("costs"));
    assertEquals(Optional.empty(), cache.load("grid"));
    cache.save(GRID);
    assertEquals(Optional.of(GRID), cache.load("grid"));
    assertEquals(Optional.empty(), cache.load("another key"));
    assertTrue(cache.invalidate("grid"));
    assertEquals(Optional.empty(), cache.load("grid"));
    assertFalse(cache.invalidate("grid"));
  }

  @Test
  void aChangedModelFileIsAnotherKey(@TempDir Path dir) throws Exception {
    Path model = Files.writeString(dir.resolve("model.onnx"), "weights");
    String before = PassCostCache.keyFor(model, "cpu|threads=2");
    Files.setLastModifiedTime(model, FileTime.fromMillis(1_000_000));
    String touched = PassCostCache.keyFor(model, "cpu|threads=2");
    Files.writeString(model, "other weights");
    Files.setLastModifiedTime(model, FileTime.fromMillis(1_000_000));
    String resized = PassCostCache.keyFor(model, "cpu|threads=2");
    assertFalse(before.equals(touched));
    assertFalse(touched.equals(resized));
    assertFalse(resized.equals(PassCostCache.keyFor(model, "cpu|threads=1")));
  }

  @Test
  void aCorruptedCacheFileCountsAsAbsent(@TempDir Path dir) throws Exception {
    PassCostCache cache = PassCostCache.in(dir);
    cache.save(GRID);
    Files.writeString(cache.file("grid"), "specdec pass cost v1\nkey grid\ntokens 1 x\n");
    assertEquals(Optional.empty(), cache.load("grid"));
  }

  @Test
  void costOfProbesOnceAndThenReadsTheCache(@TempDir Path dir) throws Exception {
    PassCostCache cache = PassCostCache.in(dir);
    Path file = Files.writeString(dir.resolve("model.onnx"), "weights");
    FakeLm model = FakeLm.target(16, 512, 3, 1.0);
    PassCost first = cache.costOf(model, file, "cpu", false);
    long runs = model.stats().tokensRun();
    assertEquals(first, cache.costOf(model, file, "cpu", false));
    assertEquals(runs, model.stats().tokensRun(), "the second call must not probe");
    cache.costOf(model, file, "cpu", true);
    assertTrue(model.stats().tokensRun() > runs, "refresh probes again");
  }

  @Test
  void scalingMultipliesEveryCell() {
    assertEquals(2 * GRID.nanos(6, 50), GRID.scaled(2).nanos(6, 50), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> GRID.scaled(0));
  }
}
