package dev.specdec.eval;

import dev.specdec.DrafterSpec;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StepRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/** Evaluations with known metrics, for the harness's and the report writer's tests. */
public final class ScriptedReports {
  /** Drafts per step of {@link #plantedLoops()}. */
  static final int K = 4;

  private ScriptedReports() {}

  /**
   * Two configs (chain, tree) over two prompts in categories x and y: {@link AcceptanceEvalTest}.
   */
  public static EvalReport twoConfigs() throws Exception {
    return AcceptanceEvalTest.evaluate(new ArrayList<>());
  }

  /**
   * One greedy config over five prompts whose outputs and steps are planted (every step drafts a
   * chain of {@value #K}; counts as drafted / accepted over drafting steps):
   *
   * <ul>
   *   <li>{@code loop} (x): 48 tokens of period 2, 12 steps accepting 3: 48 / 36 over 12,
   *       degenerate;
   *   <li>{@code clean} (x): 48 distinct tokens, 24 steps accepting 1: 96 / 24 over 24;
   *   <li>{@code short} (y): 21 equal tokens (too short to count as a loop), 7 steps accepting 2:
   *       28 / 14 over 7;
   *   <li>{@code loop8} (y): 56 tokens of period 8, 14 steps accepting 3: 56 / 42 over 14,
   *       degenerate;
   *   <li>{@code nine} (y): 54 tokens of period 9 (longer than a loop's unit), 18 steps accepting
   *       2: 72 / 36 over 18.
   * </ul>
   */
  public static EvalReport plantedLoops() {
    BenchConfig config =
        new BenchConfig(
            "planted",
            new DecodeOptions(DrafterSpec.draftModel(K), SamplingConfig.greedy(), 0, 64));
    List<PromptRun> runs =
        List.of(
            planted("loop", "x", periodic(48, 2), 3),
            planted("clean", "x", IntStream.range(0, 48).toArray(), 1),
            planted("short", "y", periodic(21, 1), 2),
            planted("loop8", "y", periodic(56, 8), 3),
            planted("nine", "y", periodic(54, 9), 2));
    return new EvalReport(
        "planted", runs.size(), 64, 0, List.of(ConfigEval.of(config, runs)), true);
  }

  private static int[] periodic(int length, int period) {
    return IntStream.range(0, length).map(i -> 100 + i % period).toArray();
  }

  /**
   * A run that emits {@code output} in steps that each accept {@code accepted} drafts of a chain of
   * {@value #K} (the rest wrong) and add the target's token; its plain run emits the same tokens.
   */
  private static PromptRun planted(String id, String category, int[] output, int accepted) {
    int perStep = accepted + 1;
    if (output.length % perStep != 0) {
      throw new IllegalArgumentException(
          id + ": " + output.length + " tokens, " + perStep + " per step");
    }
    int steps = output.length / perStep;
    List<StepRecord> records = new ArrayList<>(steps);
    for (int step = 0; step < steps; step++) {
      int emitted = step * perStep;
      int[] drafts = new int[K];
      Arrays.fill(drafts, 999); // wrong
      System.arraycopy(output, emitted, drafts, 0, accepted);
      int root = emitted == 0 ? 1 : output[emitted - 1];
      int[] path = IntStream.rangeClosed(0, accepted).toArray();
      records.add(
          new StepRecord(
              step,
              emitted,
              TokenTree.chain(root, drafts),
              path,
              output[emitted + accepted],
              0,
              0));
    }
    long[] acceptedByPosition = new long[K];
    Arrays.fill(acceptedByPosition, 0, accepted, steps);
    DecodeResult speculative =
        Results.result(
            output,
            steps,
            steps,
            (long) K * steps,
            (long) accepted * steps,
            acceptedByPosition,
            10);
    return new PromptRun(
        new BenchPrompt(id, Optional.of(category), id),
        2,
        false,
        speculative,
        Results.plain(output, 20),
        records);
  }
}
