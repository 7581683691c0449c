package dev.specdec;

import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.StopReason;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one {@link SpecDecoder#generate} call produced.
 *
 * @param text the new text: exactly what was streamed, concatenated; with {@link
 *     StopReason#STOP_STRING}, everything before the earliest stop string. It equals the
 *     tokenizer's decode of {@code tokens} whenever they decode to valid UTF-8; around byte tokens
 *     that form no valid character, the decode's replacement characters depend on the bytes that
 *     follow, so there the two may differ
 * @param tokens the new token ids (no prompt, no stop token); with {@link StopReason#STOP_STRING}
 *     they include the tokens that spelled the stop string, as vLLM's do. Copied in and out
 * @param stopReason why generation ended: a stop token (EOS), a stop string, {@code maxNewTokens},
 *     or a full context
 * @param stats counters and timings: passes, accepted lengths ({@link
 *     DecodeStats#meanAcceptedLength()}), tokens per second
 */
public record Generation(String text, int[] tokens, StopReason stopReason, DecodeStats stats) {

  /** Checks presence and copies the tokens. */
  public Generation {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(stopReason, "stopReason");
    Objects.requireNonNull(stats, "stats");
    tokens = tokens.clone();
  }

  /** The new token ids (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Generation g
        && text.equals(g.text)
        && Arrays.equals(tokens, g.tokens)
        && stopReason == g.stopReason
        && stats.equals(g.stats);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text, Arrays.hashCode(tokens), stopReason, stats);
  }

  @Override
  public String toString() {
    return "Generation[text="
        + text
        + ", tokens="
        + Arrays.toString(tokens)
        + ", stopReason="
        + stopReason
        + ", stats="
        + stats
        + "]";
  }
}
