package dev.specdec.runtime;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed test files, found through the {@code specdec.root} system property. */
final class Fixtures {
  private Fixtures() {}

  static Path root() {
    return Path.of(System.getProperty("specdec.root", "..")).toAbsolutePath().normalize();
  }

  static Path testTiny() {
    return root().resolve("models/test-tiny");
  }

  static Path target() {
    return testTiny().resolve("target.onnx");
  }

  static Path draft() {
    return testTiny().resolve("draft.onnx");
  }

  static Path tokenizer() {
    return testTiny().resolve("tokenizer.json");
  }

  static Path optimumTiny() {
    return root().resolve("testdata/optimum-tiny");
  }

  static Path badModel(String name) {
    return root().resolve("testdata/bad-models").resolve(name + ".onnx");
  }

  static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  static int[] ints(com.google.gson.JsonArray array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt();
    }
    return out;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  static float maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
