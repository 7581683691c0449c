package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.specdec.model.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Hugging Face tokenizer against sentencepiece's ids, and the streaming detokenizer. */
class TextTokenizerTest {
  private static TextTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = HfTokenizer.load(Fixtures.tokenizer());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  @Test
  void encodesLikeSentencepieceAndDecodesBackToTheText() throws Exception {
    JsonObject cases = Fixtures.json(Fixtures.root().resolve("testdata/tokenizer-cases.json"));
    int count = 0;
    for (JsonElement element : cases.getAsJsonArray("cases")) {
      JsonObject c = element.getAsJsonObject();
      String text = c.get("text").getAsString();
      int[] ids = Fixtures.ints(c.getAsJsonArray("ids"));
      assertArrayEquals(ids, tokenizer.encode(text), text);
      assertEquals(text, tokenizer.decode(ids));
      count++;
    }
    assertEquals(6, count);
    assertEquals(512, tokenizer.vocabSize());
  }

  @Test
  void encodesLongTextWithoutTruncation() {
    String text = "To be, or not to be: that is the question. ".repeat(60);
    int[] ids = tokenizer.encode(text);
    assertTrue(ids.length > 600, "ids: " + ids.length);
    assertEquals(text, tokenizer.decode(ids));
  }

  @Test
  void decodeSkipsSpecialTokens() {
    int[] ids = tokenizer.encode("hear me speak");
    int[] withSpecials = new int[ids.length + 2];
    withSpecials[0] = 1; // <s>
    System.arraycopy(ids, 0, withSpecials, 1, ids.length);
    withSpecials[ids.length + 1] = 2; // </s>
    assertEquals("hear me speak", tokenizer.decode(withSpecials));
  }

  /** Prompts that spell special tokens, as code and Javadoc do. */
  private static final List<String> SPECIAL_LOOKING_TEXT =
      List.of(
          "x </s> y",
          "x <s> y",
          "<s>",
          "</s>",
          "<unk>",
          "/** Returns the <s>first</s> element, or <unk> when there is none. */",
          "String tag = \"<s>\" + body + \"</s>\";");

  @ParameterizedTest
  @ValueSource(strings = {"models/test-tiny/tokenizer.json", "models/specdec-java/tokenizer.json"})
  void textThatSpellsASpecialTokenIsEncodedAsOrdinaryPiecesAndDecodesBack(String file)
      throws Exception {
    try (TextTokenizer t = HfTokenizer.load(Fixtures.root().resolve(file))) {
      for (String text : SPECIAL_LOOKING_TEXT) {
        int[] ids = t.encode(text);
        for (int id : ids) {
          // 0 <unk>, 1 <s>, 2 </s> in both tokenizers
          assertTrue(id > 2, file + ": " + text + " -> " + Arrays.toString(ids));
        }
        assertEquals(text, t.decode(ids), file);
      }
    }
  }

  @Test
  void textThatSpellsSpecdecsReservedMarkerIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> tokenizer.encode("x " + HfTokenizer.RESERVED + "1\u0000 y"));
    assertTrue(e.getMessage().contains("reserves"), e.getMessage());
  }

  @Test
  void specialIdsStillDecodeToNothing() {
    assertEquals("", tokenizer.decode(new int[] {0, 1, 2}));
  }

  @Test
  void aTokenizerFileOfRandomBytesSaysItIsNotUtf8(@TempDir Path dir) throws Exception {
    byte[] bytes = new byte[256];
    new Random(7).nextBytes(bytes);
    bytes[0] = (byte) 0xFF; // never valid UTF-8
    Path file = Files.write(dir.resolve("tokenizer.json"), bytes);
    IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(file));
    assertEquals(
        "tokenizer " + file + " is not a Hugging Face tokenizer.json: it is not UTF-8 text",
        e.getMessage());
  }

  @Test
  void aTruncatedTokenizerFileSaysWhereItEnds(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": ");
    IOException e = assertThrows(IOException.class, () -> HfTokenizer.load(file));
    assertEquals(
        "tokenizer "
            + file
            + " is not a Hugging Face tokenizer.json: the JSON ends too early (a truncated"
            + " file?) at line 1 column 21 (in $.model.vocab)",
        e.getMessage());
  }

  @Test
  void aMissingTokenizerFileIsNoSuchFile() {
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> HfTokenizer.load(Fixtures.testTiny().resolve("missing-tokenizer.json")));
    assertTrue(e.getMessage().contains("missing-tokenizer.json"), e.getMessage());
    assertTrue(e.getMessage().contains("tokenizer file does not exist"), e.getMessage());
  }

  @Test
  void streamingTextEqualsTheFinalDecodeForMultiByteCharacters() throws Exception {
    JsonObject cases = Fixtures.json(Fixtures.root().resolve("testdata/tokenizer-cases.json"));
    for (JsonElement element : cases.getAsJsonArray("cases")) {
      int[] ids = Fixtures.ints(element.getAsJsonObject().getAsJsonArray("ids"));
      assertEquals(tokenizer.decode(ids), stream(ids, false));
    }
  }

  @Test
  void streamingNeverEmitsAReplacementCharacterForACompleteCharacter() {
    // "日本語 🙂" is byte-fallback: each character spans 3 or 4 tokens
    int[] ids = tokenizer.encode("日本語 🙂");
    TextStream stream = new TextStream(tokenizer);
    StringBuilder out = new StringBuilder();
    for (int id : ids) {
      String piece = stream.accept(id);
      assertTrue(piece.indexOf('\uFFFD') < 0, "piece " + piece);
      out.append(piece);
    }
    assertEquals("", stream.finish());
    assertEquals("日本語 🙂", out.toString());
  }

  @Test
  void streamingRandomTextEqualsTheFinalDecode() {
    String alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ,.;:!?\n  éàüß日本語✓";
    int[] emoji = {0x1F642, 0x1F680};
    Random random = new Random(42);
    for (int trial = 0; trial < 50; trial++) {
      StringBuilder text = new StringBuilder();
      int length = 1 + random.nextInt(60);
      for (int i = 0; i < length; i++) {
        if (random.nextInt(20) == 0) {
          text.appendCodePoint(emoji[random.nextInt(emoji.length)]);
        } else {
          text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      int[] ids = tokenizer.encode(text.toString());
      assertEquals(tokenizer.decode(ids), stream(ids, false), "trial " + trial + ": " + text);
    }
  }

  @Test
  void streamingKeepsGoingAfterBytesThatFormNoCharacter() {
    // <0x18> ▁your <0x15> <0x9B> S ...: 0x9B is a lone continuation byte
    int[] ids = {27, 349, 24, 158, 482, 141, 362, 340, 46, 462, 231};
    TextStream stream = new TextStream(tokenizer);
    StringBuilder out = new StringBuilder();
    for (int id : ids) {
      out.append(stream.accept(id));
    }
    assertTrue(out.toString().endsWith("EN we+y"), out.toString());
    assertEquals("\uFFFD", stream.finish());
  }

  private static String stream(int[] ids, boolean finish) {
    TextStream stream = new TextStream(tokenizer);
    StringBuilder out = new StringBuilder();
    for (int id : ids) {
      out.append(stream.accept(id));
    }
    String rest = stream.finish();
    if (!finish) {
      assertEquals("", rest, "text held back at the end of a complete text");
    }
    return out.append(rest).toString();
  }
}
