package dev.specdec.examples;

import dev.specdec.GenerateOptions;
import dev.specdec.Generation;
import dev.specdec.SpecDecoder;
import java.nio.file.Path;

public final class QuickStart {
  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args.length > 0 ? args[0] : "models/specdec-java");
    try (SpecDecoder decoder = SpecDecoder.open(bundle)) {
      Generation g =
          decoder.generate(
              "public final class Range {",
              GenerateOptions.defaults().maxNewTokens(64),
              System.out::print);
      System.out.println();
      System.out.println(g.stats().meanAcceptedLength());
    }
  }
}
