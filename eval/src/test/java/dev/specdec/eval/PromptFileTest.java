package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFileTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void readsOurJsonLinesWithOptionalIdAndCategory() throws IOException {
    Path file =
        write(
            "p.jsonl",
            "{\"id\": \"a\", \"category\": \"code\", \"prompt\": \"def f():\"}\n"
                + "\n"
                + "{\"prompt\": \"Once upon\"}\n");

    assertEquals(
        List.of(
            new BenchPrompt("a", Optional.of("code"), "def f():"),
            new BenchPrompt("2", Optional.empty(), "Once upon")),
        PromptFile.read(file));
  }

  @Test
  void readsSpecBenchQuestionsUsingTheFirstTurn() throws IOException {
    Path file =
        write(
            "question.jsonl",
            "{\"question_id\": 81, \"category\": \"writing\","
                + " \"turns\": [\"Compose a blog post.\", \"Rewrite it.\"]}\n");

    assertEquals(
        List.of(new BenchPrompt("81", Optional.of("writing"), "Compose a blog post.")),
        PromptFile.read(file));
  }

  @Test
  void readsTextFilesAsBlankLineSeparatedPrompts() throws IOException {
    Path file = write("p.txt", "\n  first line\nsecond line  \n\n \n\nanother prompt\n");

    assertEquals(
        List.of(
            new BenchPrompt("1", Optional.empty(), "first line\nsecond line"),
            new BenchPrompt("2", Optional.empty(), "another prompt")),
        PromptFile.read(file));
  }

  @Test
  void rejectsAMissingFile() {
    PromptFileException e =
        assertThrows(PromptFileException.class, () -> PromptFile.read(dir.resolve("none.jsonl")));
    assertTrue(e.getMessage().startsWith("prompt file does not exist: "), e.getMessage());
  }

  @Test
  void namesTheLineOfMalformedJson() throws IOException {
    Path file = write("p.jsonl", "{\"prompt\": \"ok\"}\n{\"prompt\": \"unterminated}\n");

    PromptFileException e = assertThrows(PromptFileException.class, () -> PromptFile.read(file));
    assertEquals(
        file + " line 2: malformed JSON: unterminated string at line 1 column 26 (in $.prompt)",
        e.getMessage(),
        "no exception class, no Gson link, the member in words");
  }

  @Test
  void aTruncatedLineSaysTheJsonEndsTooEarly() throws IOException {
    Path file = write("p.jsonl", "{\"prompt\": \"ok\", \"id\": \n");

    PromptFileException e = assertThrows(PromptFileException.class, () -> PromptFile.read(file));
    assertEquals(
        file
            + " line 1: malformed JSON: the JSON ends too early (a truncated file?) at line 1"
            + " column 24 (in $.id)",
        e.getMessage());
  }

  @Test
  void aDirectoryGivenAsPromptFileIsNamedAsOne() throws IOException {
    PromptFileException e = assertThrows(PromptFileException.class, () -> PromptFile.read(dir));
    assertEquals("prompt file " + dir + " is a directory, not a file", e.getMessage());
  }

  @Test
  void namesTheLineOfAnObjectWithoutAPrompt() throws IOException {
    Path file = write("p.jsonl", "{\"prompt\": \"ok\"}\n\n{\"text\": \"no prompt key\"}\n");

    PromptFileException e = assertThrows(PromptFileException.class, () -> PromptFile.read(file));
    assertTrue(e.getMessage().startsWith(file + " line 3: needs a \"prompt\""), e.getMessage());
  }

  @Test
  void rejectsNonObjectsNonStringPromptsAndEmptyPrompts() throws IOException {
    Path array = write("a.jsonl", "[1, 2]\n");
    Path number = write("n.jsonl", "{\"prompt\": 5}\n");
    Path empty = write("e.jsonl", "{\"turns\": [\"\"]}\n");

    assertTrue(
        assertThrows(PromptFileException.class, () -> PromptFile.read(array))
            .getMessage()
            .contains("line 1: expected a JSON object"));
    assertTrue(
        assertThrows(PromptFileException.class, () -> PromptFile.read(number))
            .getMessage()
            .contains("line 1: the prompt must be a string"));
    assertTrue(
        assertThrows(PromptFileException.class, () -> PromptFile.read(empty))
            .getMessage()
            .contains("line 1: the prompt is empty"));
  }

  @Test
  void rejectsAFileWithoutPrompts() throws IOException {
    Path jsonl = write("p.jsonl", "\n  \n");
    Path txt = write("p.txt", "");

    assertEquals(
        "no prompts in " + jsonl,
        assertThrows(PromptFileException.class, () -> PromptFile.read(jsonl)).getMessage());
    assertEquals(
        "no prompts in " + txt,
        assertThrows(PromptFileException.class, () -> PromptFile.read(txt)).getMessage());
  }
}
