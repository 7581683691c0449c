package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.DrafterSpec;
import dev.specdec.eval.ScriptedSession.Plan;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.StepListener;
import dev.specdec.verification.StopReason;
import dev.specdec.verification.VerifyOverhead;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * The harness over a scripted target and drafter whose acceptance is known step by step, and a cost
 * model in place of the clock, so that every metric has an exact expected value (derived by hand in
 * the comments).
 */
class AcceptanceEvalTest {
  private static final double EPS = 1e-12;
  private static final int K = 3;
  private static final int MAX_NEW = 9;
  private static final List<BenchPrompt> PROMPTS =
      List.of(
          new BenchPrompt("a", Optional.of("x"), "A"), new BenchPrompt("b", Optional.of("y"), "B"));

  private static BenchConfig config(String name) {
    return new BenchConfig(
        name, new DecodeOptions(DrafterSpec.draftModel(K), SamplingConfig.greedy(), 0, MAX_NEW));
  }

  // Prompt A continues 2, 3, ...; prompt B 3, 4, ... A step drafts min(k, remaining - 1) tokens.
  // chain, A: plans 3, 0, 2 correct -> (drafted, accepted) (3,3) (3,0) (3,2), then a root-only
  //   step for the 9th token: 3 drafting steps, 9 drafted, 5 accepted, 4 passes.
  // chain, B: plans 1, 0, 0, then all right -> (3,1) (3,0) (3,0) (3,3), root only: 4 steps, 12
  //   drafted, 4 accepted, 5 passes.
  private static final Map<Integer, List<Plan>> CHAIN =
      Map.of(
          1, List.of(new Plan(3, false), new Plan(0, false), new Plan(2, false)),
          2, List.of(new Plan(1, false), new Plan(0, false), new Plan(0, false)));

  // tree, A: a wrong rank-0 sibling at depth 1 and a chain of 2 (right, right), then the same
  //   with a wrong chain, then all right -> (3,2) (3,0) (3,3), root only: 3 steps, 9 drafted, 5
  //   accepted, 4 passes. tree, B: all right -> (3,3) (3,3), root only: 2 steps, 6 drafted, 6
  //   accepted, 3 passes.
  private static final Map<Integer, List<Plan>> TREE =
      Map.of(1, List.of(new Plan(2, true), new Plan(0, true)));

  static EvalReport evaluate(List<String> progress) throws Exception {
    return evaluate(progress, Optional.empty());
  }

  static EvalReport evaluate(List<String> progress, Optional<CostModel> cost) throws Exception {
    return new AcceptanceEval(1, false, cost)
        .run(
            "scripted",
            List.of(config("chain"), config("tree")),
            PROMPTS,
            c -> new ScriptedSession(c.name().equals("chain") ? CHAIN : TREE, K, MAX_NEW),
            (c, i, n) -> progress.add(c.name() + " " + i + "/" + n));
  }

  @Test
  void computesEveryMetricOfAScriptedChainExactly() throws Exception {
    List<String> progress = new ArrayList<>();
    EvalReport report = evaluate(progress);
    assertEquals(List.of("chain 1/2", "chain 2/2", "tree 1/2", "tree 2/2"), progress);
    assertEquals(2, report.prompts());
    assertEquals(MAX_NEW, report.maxNewTokens());
    assertEquals(0, report.truncatedRuns());
    EvalMetrics m = report.configs().get(0).overall();

    assertEquals(2, m.prompts());
    assertEquals(18, m.newTokens());
    assertEquals(7, m.draftingSteps());
    assertEquals(21, m.draftedTokens());
    assertEquals(9, m.acceptedTokens());
    assertEquals(1 + 9.0 / 7, m.meanAcceptedLength(), EPS);
    // Per-prompt tau: A 1 + 5/3, B 1 + 4/4.
    assertInterval(tInterval(1 + 5.0 / 3, 2.0), m.meanAcceptedLengthCi());
    assertEquals(9.0 / 21, m.acceptanceRate(), EPS);
    assertInterval(ConfidenceInterval.ofProportion(21, 9), m.acceptanceRateCi());
    // Steps accepting >= 1: A 2, B 2; >= 2: A 2, B 1; >= 3: A 1, B 1.
    assertList(List.of(4.0 / 7, 3.0 / 7, 2.0 / 7), m.acceptanceByPosition());
    assertEquals(List.of(3L, 1L, 1L, 2L), m.acceptedLengthHistogram());
    // A chain's d-th draft is right exactly when at least d were accepted.
    assertEquals(3, m.topKAccuracyByDepth().size());
    assertList(List.of(4.0 / 7), m.topKAccuracyByDepth().get(0));
    assertList(List.of(3.0 / 7), m.topKAccuracyByDepth().get(1));
    assertList(List.of(2.0 / 7), m.topKAccuracyByDepth().get(2));
    assertEquals(3.0, m.meanDraftsPerStep(), EPS);
    assertEquals(3.0, m.meanDepth(), EPS);
    // Steps that ended in a rejection: A 2 (accepted 0 and 2 of 3), B 3 (1, 0, 0 of 3).
    assertEquals(9.0 / (9 + 5), m.chainAcceptance(), EPS);
    // Drafter time: 21 drafts * 100 ns over 7 drafting steps.
    assertEquals(300.0, m.draftNanosPerStep(), EPS);
    // Plain runs: 9 passes of 1000 ns for 9 tokens each.
    assertEquals(1000.0, m.targetStepNanos(), EPS);
    assertEquals(0.1, m.costRatio(), EPS);
    double alpha = 9.0 / 14;
    assertEquals(
        (1 - Math.pow(alpha, 4)) / ((1 - alpha) * (3 * 0.1 + 1)), m.leviathanSpeedup(), EPS);
    assertTrue(Double.isNaN(m.predictedSpeedup()), "no cost model, no prediction");
    // Speculative A: prefill 1000 + 4 passes + 9 drafts * 100 = 5900 ns; B: 1000 + 5000 + 1200.
    // Plain: 1000 + 9 * 1000 = 10000 ns each.
    double speedupA = 10000.0 / 5900;
    double speedupB = 10000.0 / 7200;
    assertEquals((speedupA + speedupB) / 2, m.observedSpeedup(), EPS);
    assertInterval(tInterval(speedupA, speedupB), m.observedSpeedupCi());
    assertEquals(18 / (13100e-9), m.tokensPerSecond(), 1e-6);
    assertInterval(tInterval(9 / 5900e-9, 9 / 7200e-9), m.tokensPerSecondCi());
    assertEquals(18 / 20000e-9, m.baselineTokensPerSecond(), 1e-6);
    assertEquals(2, m.identicalPrompts());

    // Categories: x is prompt A alone, y prompt B alone; one prompt gives no t-interval.
    ConfigEval chain = report.configs().get(0);
    assertEquals(List.of("x", "y"), List.copyOf(chain.byCategory().keySet()));
    EvalMetrics x = chain.byCategory().get("x");
    assertEquals(1 + 5.0 / 3, x.meanAcceptedLength(), EPS);
    assertEquals(5.0 / 9, x.acceptanceRate(), EPS);
    assertEquals(List.of(1L, 0L, 1L, 1L), x.acceptedLengthHistogram());
    assertList(List.of(2.0 / 3, 2.0 / 3, 1.0 / 3), x.acceptanceByPosition());
    assertEquals(speedupA, x.observedSpeedup(), EPS);
    assertFalse(x.meanAcceptedLengthCi().isKnown());
    assertFalse(x.observedSpeedupCi().isKnown());
    EvalMetrics y = chain.byCategory().get("y");
    assertEquals(2.0, y.meanAcceptedLength(), EPS);
    assertEquals(List.of(2L, 1L, 0L, 1L), y.acceptedLengthHistogram());

    // The runs keep every step: A's accepted lengths, then the root-only last step.
    PromptRun a = chain.runs().get(0);
    assertEquals(List.of(3, 0, 2, 0), a.steps().stream().map(s -> s.accepted()).toList());
    assertEquals(List.of(3, 3, 3, 0), a.steps().stream().map(s -> s.drafted()).toList());
    assertEquals(List.of(0, 4, 5, 8), a.steps().stream().map(s -> s.emittedBefore()).toList());
    assertTrue(a.identical());
  }

  @Test
  void topKAccuracyCountsASiblingOfRankOneAtItsDepth() throws Exception {
    EvalMetrics m = evaluate(new ArrayList<>()).configs().get(1).overall();
    assertEquals(5, m.draftingSteps());
    assertEquals(15, m.draftedTokens());
    assertEquals(11, m.acceptedTokens());
    assertEquals(1 + 11.0 / 5, m.meanAcceptedLength(), EPS);
    assertEquals(11.0 / 15, m.acceptanceRate(), EPS);
    assertEquals(List.of(1L, 0L, 1L, 3L), m.acceptedLengthHistogram());
    // Position 3 was drafted only by the three depth-3 trees, and accepted in all of them.
    assertList(List.of(4.0 / 5, 4.0 / 5, 3.0 / 3), m.acceptanceByPosition());
    // Depth 1: right at rank 0 in 3 steps, at rank 1 (behind the wrong sibling) in 1, missed in 1.
    assertList(List.of(3.0 / 5, 4.0 / 5), m.topKAccuracyByDepth().get(0));
    // Depth 2: every step reaches it; only A's second step (a wrong chain) misses.
    assertList(List.of(4.0 / 5), m.topKAccuracyByDepth().get(1));
    // Depth 3: only the three all-right chains reach it.
    assertList(List.of(1.0), m.topKAccuracyByDepth().get(2));
    assertEquals(3.0, m.meanDraftsPerStep(), EPS);
    // Tree depths: A 2, 2, 3; B 3, 3. Only A's second step ends in a rejection.
    assertEquals(13.0 / 5, m.meanDepth(), EPS);
    assertEquals(11.0 / 12, m.chainAcceptance(), EPS);
    assertEquals(1500.0 / 5, m.draftNanosPerStep(), EPS);
    assertEquals(300.0 / (13.0 / 5) / 1000, m.costRatio(), EPS);
    double alpha = 11.0 / 12;
    assertEquals(
        (1 - Math.pow(alpha, 1 + 13.0 / 5)) / ((1 - alpha) * (0.3 + 1)), m.leviathanSpeedup(), EPS);
    // Speculative A 1000 + 4000 + 900, B 1000 + 3000 + 600; plain 10000 each.
    assertEquals((10000.0 / 5900 + 10000.0 / 4600) / 2, m.observedSpeedup(), EPS);
    assertEquals(18 / 10500e-9, m.tokensPerSecond(), 1e-6);
  }

  @Test
  void predictionFromStepRecordsEqualsObservedWhenTheCostModelIsTheClock() throws Exception {
    // The scripted clock: every pass 1000 ns whatever its size, drafts 100 ns each.
    EvalReport report =
        evaluate(new ArrayList<>(), Optional.of(CostModel.of(PassCost.linear(1000, 0))));
    for (ConfigEval c : report.configs()) {
      EvalMetrics m = c.overall();
      assertEquals(m.observedSpeedup(), m.predictedSpeedup(), EPS, c.config().name());
      assertEquals(0.0, m.predictionOverheadNanos(), EPS);
      assertEquals(0.0, m.predictionError(), EPS);
      for (EvalMetrics byCategory : c.byCategory().values()) {
        assertEquals(byCategory.observedSpeedup(), byCategory.predictedSpeedup(), EPS);
      }
    }
  }

  @Test
  void predictionMeasuresTheOverheadBeyondTheProbeOnThePlainRuns() throws Exception {
    // The probe says 800 ns a pass; the plain runs take 1000: 200 ns of overhead per pass, which
    // every speculative step pays too, so the prediction still lands on the clock.
    EvalMetrics m =
        evaluate(new ArrayList<>(), Optional.of(CostModel.of(PassCost.linear(800, 0))))
            .configs()
            .get(0)
            .overall();
    assertEquals(200.0, m.predictionOverheadNanos(), 1e-9);
    assertEquals(m.observedSpeedup(), m.predictedSpeedup(), EPS);
  }

  @Test
  void predictionPricesEachStepAtItsOwnTreeSize() throws Exception {
    // Passes cost 1000 + 250 per token beyond the first, as the clock does not: the chain's
    // trees of 4 nodes cost 1750 each, the root-only steps 1000, the plain passes 1000 (no
    // overhead). A: prefill 1000 + 3 * 1750 + 1000 + drafts 900 = 8150; B: 1000 + 4 * 1750 +
    // 1000 + 1200 = 10200; plain 10000 each.
    EvalMetrics m =
        evaluate(new ArrayList<>(), Optional.of(CostModel.of(PassCost.linear(1000, 250))))
            .configs()
            .get(0)
            .overall();
    assertEquals(0.0, m.predictionOverheadNanos(), 1e-9);
    assertEquals((10000.0 / 8150 + 10000.0 / 10200) / 2, m.predictedSpeedup(), EPS);
    assertTrue(m.predictionError() < 0, "dearer passes than the clock's predict less");
  }

  @Test
  void predictionAddsTheVerificationWorkALargerStepDoesBeyondItsPass() throws Exception {
    // 300 ns more per step of 4 tokens than per one-token step: A's three drafting steps cost
    // 900 more (6800), B's four 1200 more (8400); plain steps are one-token steps (no change).
    CostModel model =
        new CostModel(
            PassCost.linear(1000, 0), new VerifyOverhead(new int[] {1, 4}, new double[] {50, 350}));
    EvalMetrics m = evaluate(new ArrayList<>(), Optional.of(model)).configs().get(0).overall();
    assertEquals((10000.0 / 6800 + 10000.0 / 8400) / 2, m.predictedSpeedup(), EPS);
  }

  @Test
  void predictionChargesTheTargetForTheDrafterWorkBeforeItsPass() throws Exception {
    // Half of every drafter nanosecond comes back as a slower target pass: A's 900 ns of drafts
    // cost 450 more (5900 -> 6350), B's 1200 cost 600 more (7200 -> 7800); plain runs draft
    // nothing.
    CostModel model = new CostModel(PassCost.linear(1000, 0), VerifyOverhead.NONE, 0.5);
    EvalMetrics m = evaluate(new ArrayList<>(), Optional.of(model)).configs().get(0).overall();
    assertEquals((10000.0 / 6350 + 10000.0 / 7800) / 2, m.predictedSpeedup(), EPS);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new CostModel(PassCost.linear(1000, 0), VerifyOverhead.NONE, 1.5))
            .getMessage()
            .contains("[0, 1]"));
  }

  @Test
  void leviathanSpeedupHasItsLimitAtFullAcceptance() {
    assertEquals(5 / 1.4, EvalMetrics.predictedSpeedup(1.0, 4, 0.1), EPS);
    assertEquals(1.0, EvalMetrics.predictedSpeedup(0.0, 4, 0.0), EPS);
    assertTrue(Double.isNaN(EvalMetrics.predictedSpeedup(Double.NaN, 4, 0.1)));
  }

  @Test
  void rejectsAPromptThatDoesNotFitUnlessToldToCutIt() throws Exception {
    List<BenchPrompt> longPrompt = List.of(new BenchPrompt("long", Optional.empty(), "L"));
    EvalSession.Opener opener =
        c ->
            new ScriptedSession(Map.of(), K, MAX_NEW) {
              @Override
              public int[] promptTokens(String prompt) {
                return new int[70]; // all zeros: BOS then 69 tokens, over the capacity of 64
              }
            };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AcceptanceEval(0, false)
                    .run(
                        "scripted", List.of(config("chain")), longPrompt, opener, (c, i, n) -> {}));
    assertTrue(
        e.getMessage().startsWith("config chain: 1 of 1 prompt does not fit"), e.getMessage());
    assertTrue(e.getMessage().contains("prompt long (70 tokens)"), e.getMessage());
    assertTrue(e.getMessage().contains("--truncate-prompts"), e.getMessage());

    EvalReport cut =
        new AcceptanceEval(0, true)
            .run("scripted", List.of(config("chain")), longPrompt, opener, (c, i, n) -> {});
    PromptRun run = cut.configs().get(0).runs().get(0);
    assertTrue(run.truncated());
    assertEquals(64 - MAX_NEW, run.promptTokens());
    assertEquals(MAX_NEW, run.speculative().tokens().length);
    assertEquals(1, cut.truncatedRuns());
  }

  @Test
  void checksEveryPromptAgainstTheContextBeforeDecodingAny() {
    List<BenchPrompt> seven = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      seven.add(new BenchPrompt(Integer.toString(i), Optional.empty(), i == 7 ? "L" : "A"));
    }
    int[] runs = {0};
    EvalSession.Opener opener =
        c ->
            new ScriptedSession(CHAIN, K, MAX_NEW) {
              @Override
              public int[] promptTokens(String prompt) {
                return prompt.equals("L") ? new int[70] : super.promptTokens(prompt);
              }

              @Override
              public DecodeResult generate(
                  int[] promptTokens, long seed, boolean plain, StepListener onStep) {
                runs[0]++;
                return super.generate(promptTokens, seed, plain, onStep);
              }
            };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AcceptanceEval(1, false)
                    .run("scripted", List.of(config("chain")), seven, opener, (c, i, n) -> {}));
    assertEquals(0, runs[0], "no prompt may be decoded before all are checked");
    assertTrue(
        e.getMessage().contains("1 of 7 prompts do not fit the context of 64"), e.getMessage());
    assertTrue(e.getMessage().contains("prompt 7 (70 tokens)"), e.getMessage());
  }

  @Test
  void anInterruptedRunReportsOnlyThePromptsThatFinishedAndSaysItIsIncomplete() throws Exception {
    // Warm-up (2 runs) and prompt a (2 runs) finish; prompt b's speculative run is interrupted.
    int[] runs = {0};
    EvalSession.Opener opener =
        c ->
            new ScriptedSession(CHAIN, K, MAX_NEW) {
              @Override
              public DecodeResult generate(
                  int[] promptTokens, long seed, boolean plain, StepListener onStep) {
                if (++runs[0] == 5) {
                  return new DecodeResult(
                      new int[0],
                      StopReason.INTERRUPTED,
                      new DecodeStats(0, 0, 0, 0, 0, new long[K], new long[K], 0, 0));
                }
                return super.generate(promptTokens, seed, plain, onStep);
              }
            };
    List<String> opened = new ArrayList<>();
    EvalReport report =
        new AcceptanceEval(1, false)
            .run(
                "scripted",
                List.of(config("chain"), config("tree")),
                PROMPTS,
                c -> {
                  opened.add(c.name());
                  return opener.open(c);
                },
                (c, i, n) -> {});
    assertFalse(report.complete());
    assertEquals(List.of("chain"), opened, "no config is loaded after the interrupt");
    assertEquals(1, report.configs().size());
    assertEquals(
        List.of("a"), report.configs().get(0).runs().stream().map(r -> r.prompt().id()).toList());
    assertEquals(9, report.configs().get(0).overall().newTokens());
    assertTrue(evaluate(new ArrayList<>()).complete());
  }

  private static ConfidenceInterval tInterval(double a, double b) {
    double mean = (a + b) / 2;
    double sd = Math.abs(a - b) / Math.sqrt(2);
    double half = new TDistribution(1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(2);
    return new ConfidenceInterval(mean - half, mean + half);
  }

  private static void assertInterval(ConfidenceInterval expected, ConfidenceInterval actual) {
    assertTrue(actual.isKnown(), actual.toString());
    assertEquals(expected.lower(), actual.lower(), 1e-9);
    assertEquals(expected.upper(), actual.upper(), 1e-9);
  }

  private static void assertList(List<Double> expected, List<Double> actual) {
    assertEquals(expected.size(), actual.size(), actual.toString());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), actual.get(i), EPS, "entry " + i + " of " + actual);
    }
  }
}
