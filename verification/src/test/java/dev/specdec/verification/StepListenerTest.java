package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.specdec.model.testing.FakeLm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepListenerTest {
  private static final int V = 32;

  @Test
  void recordsEveryStepWithItsAcceptedPathAndEmittedOffset() {
    FakeLm target = FakeLm.target(V, 96, 7, 2.0);
    int[] prompt = {1, 2, 3};
    GenerationRequest request = GenerationRequest.of(20, 0);
    int[] reference = plain(target, prompt, request).tokens();
    int[] full = new int[prompt.length + reference.length];
    System.arraycopy(prompt, 0, full, 0, prompt.length);
    System.arraycopy(reference, 0, full, prompt.length, reference.length);
    int[] script = {2, 0, 4, 1, 3};
    ScriptedDrafter drafter = new ScriptedDrafter(full, script, 4, V);
    List<StepRecord> steps = new ArrayList<>();
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .draftTokens(4)
            .build()
            .generate(prompt, request, token -> {}, steps::add);

    assertArrayEquals(reference, result.tokens());
    assertEquals(result.stats().targetPasses(), steps.size());
    int emitted = 0;
    long accepted = 0;
    for (int i = 0; i < steps.size(); i++) {
      StepRecord step = steps.get(i);
      assertEquals(i, step.step());
      assertEquals(emitted, step.emittedBefore());
      if (i < script.length) {
        assertEquals(script[i], step.accepted(), "step " + i);
      }
      // Accepted drafts are the emitted tokens at their depths, then comes the next token.
      for (int d = 1; d <= step.accepted(); d++) {
        assertEquals(reference[emitted + d - 1], step.tree().token(step.acceptedNode(d)));
      }
      if (emitted + step.accepted() < reference.length) {
        assertEquals(reference[emitted + step.accepted()], step.nextToken());
      }
      accepted += step.accepted();
      emitted = Math.min(reference.length, emitted + step.accepted() + 1);
    }
    assertEquals(reference.length, emitted);
    assertEquals(result.stats().acceptedTokens(), accepted);
  }
}
