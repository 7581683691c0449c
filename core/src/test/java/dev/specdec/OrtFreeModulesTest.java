package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * STYLE.md rule 1, enforced: ONNX Runtime lives in {@code runtime} only. The modules that speak to
 * models through specdec's own interfaces, and this facade, must not name ONNX Runtime's package in
 * the code of their sources (main or test; comments and string literals aside), so that the build
 * fails the moment one imports it.
 *
 * <p>The build enforces the class path side: the enforcer's {@code ort-free} rule bans ONNX Runtime
 * and {@code specdec-runtime} from the compile and runtime class paths of {@code tree-attention},
 * {@code model}, {@code drafting} and {@code verification}, so their main code cannot even compile
 * against it. Their tests may load the ONNX test models through a test-scoped {@code
 * specdec-runtime}; this scan keeps those tests, and the facade, on specdec's interfaces too.
 */
class OrtFreeModulesTest {
  private static final List<String> ORT_FREE_MODULES =
      List.of("tree-attention", "model", "drafting", "verification", "core");
  private static final Pattern ORT = Pattern.compile("\\bai\\s*\\.\\s*onnxruntime\\b");

  @Test
  void noOrtFreeModuleNamesOnnxRuntime() throws IOException {
    List<String> offenders = new ArrayList<>();
    int scanned = 0;
    for (String module : ORT_FREE_MODULES) {
      Path src = TestBundles.root().resolve(module).resolve("src");
      assertTrue(Files.isDirectory(src), "no sources at " + src);
      List<Path> files;
      try (Stream<Path> walk = Files.walk(src)) {
        files = walk.filter(p -> p.toString().endsWith(".java")).toList();
      }
      for (Path file : files) {
        scanned++;
        String[] lines = codeOnly(Files.readString(file)).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
          Matcher m = ORT.matcher(lines[i]);
          if (m.find()) {
            offenders.add(
                TestBundles.root().relativize(file) + ":" + (i + 1) + ": " + lines[i].strip());
          }
        }
      }
    }
    assertTrue(scanned > 50, "scanned only " + scanned + " files: wrong root?");
    assertEquals(
        List.of(),
        offenders,
        "ONNX Runtime lives in runtime only (STYLE.md rule 1): use CausalLm, ForwardOutput,"
            + " MedusaHeads, MtpModule instead");
  }

  @Test
  void theScanCatchesImportsAndQualifiedNamesButNotCommentsOrStrings() {
    assertTrue(ORT.matcher(codeOnly("import ai.onnxruntime.OrtSession;")).find());
    assertTrue(ORT.matcher(codeOnly("var t = (ai.onnxruntime.OnnxTensor) x;")).find());
    assertFalse(ORT.matcher(codeOnly("// see ai.onnxruntime\n/* ai.onnxruntime */")).find());
    assertFalse(ORT.matcher(codeOnly("String s = \"ai.onnxruntime\\\" x\";")).find());
    assertFalse(ORT.matcher(codeOnly("import dev.specdec.model.CausalLm;")).find());
    assertEquals("a\n\nb", codeOnly("a\n/* x\n */b"), "newlines kept: line numbers hold");
  }

  /**
   * {@code source} with comments and string and char literals blanked out (text blocks included),
   * newlines kept.
   */
  static String codeOnly(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (source.startsWith("//", i)) {
        while (i < n && source.charAt(i) != '\n') {
          i++;
        }
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        keepNewlines(source, i, end, out);
        i = end;
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
        keepNewlines(source, i, end, out);
        i = end;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && source.charAt(j) != c && source.charAt(j) != '\n') {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = Math.min(n, j + 1);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static void keepNewlines(String source, int from, int to, StringBuilder out) {
    for (int k = from; k < to; k++) {
      if (source.charAt(k) == '\n') {
        out.append('\n');
      }
    }
  }
}
