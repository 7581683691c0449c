package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many generations on one {@link SpecDecoder}: 4 threads, several prompts each, give exactly the
 * outputs of sequential calls, greedy and with seeded sampling, for the draft model and prompt
 * lookup; the models are loaded once and at most 4 caches are made.
 */
class ConcurrentGenerationTest {
  private static final int THREADS = 4;
  private static final List<String> PROMPTS =
      List.of(
          "public final class Range {",
          "import java.util.List;",
          "for (int i = 0; i < n; i++) {",
          "/** Returns the sum. */",
          "x = x + x + x + x",
          "héllo wörld");

  private record Job(String prompt, GenerateOptions options) {}

  @Test
  void fourThreadsGiveExactlyTheOutputsOfSequentialCalls() throws Exception {
    // Fixed budgets: adaptive ones follow measured times, so the accepted counts compared below
    // would differ between runs (the tokens would not).
    GenerateOptions base = GenerateOptions.defaults().maxNewTokens(24).budget(Budget.FIXED);
    List<GenerateOptions> settings =
        List.of(
            base.drafter(DrafterSpec.draftModel(4)),
            base.drafter(DrafterSpec.lookup(3, 1, 6, 2)),
            base.drafter(DrafterSpec.draftModel(3)).temperature(0.8).topK(40).seed(5),
            base.drafter(DrafterSpec.lookup(6)).temperature(1.0).seed(9),
            base.drafter(DrafterSpec.lookupThenDraft(4)).temperature(0.7).seed(11));
    List<Job> jobs = new ArrayList<>();
    for (GenerateOptions options : settings) {
      for (String prompt : PROMPTS) {
        jobs.add(new Job(prompt, options));
      }
    }
    try (SpecDecoder decoder = SpecDecoder.open(TestBundles.testTiny())) {
      List<Generation> sequential = new ArrayList<>();
      for (Job job : jobs) {
        sequential.add(decoder.generate(job.prompt(), job.options()));
      }
      AtomicInteger running = new AtomicInteger();
      AtomicInteger mostRunning = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        for (int round = 0; round < 2; round++) {
          CountDownLatch start = new CountDownLatch(1);
          List<Future<Generation>> futures = new ArrayList<>();
          List<StringBuilder> streamed = new ArrayList<>();
          for (Job job : jobs) {
            StringBuilder text = new StringBuilder();
            streamed.add(text);
            futures.add(
                pool.submit(
                    () -> {
                      start.await();
                      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                      try {
                        return decoder.generate(job.prompt(), job.options(), text::append);
                      } finally {
                        running.decrementAndGet();
                      }
                    }));
          }
          start.countDown();
          for (int i = 0; i < jobs.size(); i++) {
            Generation expected = sequential.get(i);
            Generation actual = futures.get(i).get();
            String where = "round " + round + ", job " + i + ": " + jobs.get(i);
            assertEquals(expected.text(), actual.text(), where);
            assertEquals(
                java.util.Arrays.toString(expected.tokens()),
                java.util.Arrays.toString(actual.tokens()),
                where);
            assertEquals(expected.stopReason(), actual.stopReason(), where);
            assertEquals(expected.stats().acceptedTokens(), actual.stats().acceptedTokens(), where);
            assertEquals(actual.text(), streamed.get(i).toString(), where);
          }
        }
      } finally {
        pool.shutdown();
      }
      assertTrue(mostRunning.get() > 1, "generations overlapped: " + mostRunning.get());
      // One target cache per generation that ran at once, reused across calls and rounds.
      int made = decoder.targetInstances();
      assertTrue(made >= 1 && made <= THREADS, "target instances made: " + made);
    }
  }
}
