package dev.specdec.model;

/**
 * Text to token ids and back. Implementations own native resources: close them.
 *
 * <p>{@link #encode} adds no special tokens; callers prepend BOS themselves where the model wants
 * it, so that a prompt's ids are exactly what they see.
 */
public interface TextTokenizer extends AutoCloseable {

  /** Token ids of {@code text}, without special tokens. */
  int[] encode(String text);

  /** Text of {@code ids}; special tokens are skipped. */
  String decode(int[] ids);

  /** Number of ids the tokenizer can produce. */
  int vocabSize();

  /** Releases the native tokenizer; idempotent. */
  @Override
  void close();
}
