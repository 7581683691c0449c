package dev.specdec.examples;

import dev.specdec.DrafterSpec;
import dev.specdec.GenerateOptions;
import dev.specdec.Generation;
import dev.specdec.SpecDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class ManyThreads {
  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args.length > 0 ? args[0] : "models/specdec-java");
    List<String> prompts =
        List.of("public final class Range {", "import java.util.List;", "/** Returns the sum. */");
    GenerateOptions options =
        GenerateOptions.defaults()
            .maxNewTokens(32)
            .drafter(DrafterSpec.lookupThenDraft(4))
            .stopStrings("\n\n");
    // One loaded model, one KV cache per generation running at the same time.
    try (SpecDecoder decoder = SpecDecoder.open(bundle);
        ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<Generation>> results =
          prompts.stream().map(p -> pool.submit(() -> decoder.generate(p, options))).toList();
      for (Future<Generation> result : results) {
        Generation g = result.get();
        System.out.println(g.stopReason() + ": " + g.text());
      }
    }
  }
}
