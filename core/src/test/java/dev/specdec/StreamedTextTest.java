package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.Engine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streaming detokenization and stop strings, on a byte-level tokenizer (token = one UTF-8 byte, the
 * worst case for multi-byte characters) and on the test bundle's byte-fallback tokenizer.
 */
class StreamedTextTest {
  /** Token i is byte i; decoding replaces malformed UTF-8 by U+FFFD, as byte fallback does. */
  private static final TextTokenizer BYTES =
      new TextTokenizer() {
        @Override
        public int[] encode(String text) {
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          int[] ids = new int[bytes.length];
          for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
          }
          return ids;
        }

        @Override
        public String decode(int[] ids) {
          ByteBuffer bytes = ByteBuffer.allocate(ids.length);
          for (int id : ids) {
            bytes.put((byte) id);
          }
          return new String(bytes.array(), StandardCharsets.UTF_8);
        }

        @Override
        public int vocabSize() {
          return 256;
        }

        @Override
        public void close() {}
      };

  /** Feeds {@code text}'s tokens; returns the chunks and, last, what finish() returned. */
  private static Run stream(TextTokenizer tokenizer, int[] ids, String... stops) {
    List<String> chunks = new ArrayList<>();
    StreamedText text = new StreamedText(tokenizer, List.of(stops), chunks::add);
    int fed = 0;
    for (int id : ids) {
      fed++;
      if (!text.accept(id)) {
        break;
      }
    }
    return new Run(chunks, text.finish(), fed, text.stopped());
  }

  private record Run(List<String> chunks, String text, int fed, boolean stopped) {
    String streamed() {
      return String.join("", chunks);
    }
  }

  private static void assertWellFormed(String chunk) {
    assertFalse(chunk.isEmpty(), "empty chunks are not emitted");
    assertFalse(chunk.contains("\uFFFD"), "half a character streamed: " + chunk);
    for (int i = 0; i < chunk.length(); i++) {
      char c = chunk.charAt(i);
      if (Character.isHighSurrogate(c)) {
        assertTrue(i + 1 < chunk.length() && Character.isLowSurrogate(chunk.charAt(i + 1)), chunk);
        i++;
      } else {
        assertFalse(Character.isLowSurrogate(c), "lone low surrogate in " + chunk);
      }
    }
  }

  @Test
  void multiByteCharactersAreNeverStreamedHalf() {
    String text = "añb€c😀d日本語e";
    Run run = stream(BYTES, BYTES.encode(text));
    run.chunks().forEach(StreamedTextTest::assertWellFormed);
    assertEquals(text, run.streamed());
    assertEquals(text, run.text());
    // Every character is its own chunk, whole: 11 characters (one of them a surrogate pair).
    assertEquals(text.codePointCount(0, text.length()), run.chunks().size());
  }

  @Test
  void theTestBundlesByteFallbackTokensStreamWholeCharacters() throws Exception {
    String text = "héllo wörld ✓ 日本語 😀 done";
    try (Engine engine = Engine.create();
        TextTokenizer tokenizer =
            engine.loadTokenizer(TestBundles.testTiny().resolve("tokenizer.json"))) {
      int[] ids = tokenizer.encode(text);
      assertTrue(ids.length > text.codePointCount(0, text.length()), "byte fallback in use");
      Run run = stream(tokenizer, ids);
      run.chunks().forEach(StreamedTextTest::assertWellFormed);
      assertTrue(run.chunks().size() < ids.length, "some tokens completed no character");
      assertEquals(tokenizer.decode(ids), run.streamed());
      assertEquals(run.streamed(), run.text());
    }
  }

  @Test
  void aStopStringSpanningTokensEndsTheTextAndIsNeverStreamed() {
    int[] ids = BYTES.encode("hello END world");
    Run run = stream(BYTES, ids, "END");
    assertTrue(run.stopped());
    assertEquals("hello ", run.text());
    assertEquals("hello ", run.streamed());
    assertEquals("hello EN".length() + 1, run.fed(), "stopped at the token completing it");
    run.chunks().forEach(chunk -> assertFalse(chunk.contains("E"), chunk));
  }

  @Test
  void textThatOnlyStartsLikeAStopStringIsHeldBackThenReleased() {
    List<String> chunks = new ArrayList<>();
    StreamedText text = new StreamedText(BYTES, List.of("<|end|>"), chunks::add);
    for (int id : BYTES.encode("a<|e")) {
      assertTrue(text.accept(id));
    }
    assertEquals("a", String.join("", chunks), "'<|e' may still become the stop string");
    assertTrue(text.accept('x'));
    assertEquals("a<|ex", String.join("", chunks));
    for (int id : BYTES.encode("<|en")) {
      assertTrue(text.accept(id));
    }
    assertEquals("a<|ex<|en", text.finish(), "at the end, held-back text is released");
    assertEquals("a<|ex<|en", String.join("", chunks));
  }

  @Test
  void theEarliestOfSeveralStopStringsWins() {
    Run run = stream(BYTES, BYTES.encode("xyabz"), "b", "ab", "yab");
    assertEquals("x", run.text());
    assertEquals("x", run.streamed());
  }

  @Test
  void aMultiByteStopStringStopsOnItsLastByte() {
    Run run = stream(BYTES, BYTES.encode("price: 5€ only"), "€");
    assertEquals("price: 5", run.text());
    assertEquals("price: 5", run.streamed());
    assertEquals("price: 5".length() + 3, run.fed());
  }

  @Test
  void withoutStopStringsTextIsStreamedAsSoonAsComplete() {
    List<String> chunks = new ArrayList<>();
    StreamedText text = new StreamedText(BYTES, List.of(), chunks::add);
    text.accept('o');
    text.accept('k');
    assertEquals(List.of("o", "k"), chunks);
    assertEquals("ok", text.finish());
  }
}
