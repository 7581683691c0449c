// Checks a trained tokenizer.json with DJL's HuggingFaceTokenizer, loaded the way the runtime
// loads it (no truncation, no padding, no special tokens), against sentencepiece on every case of
// a JSON file written by tools/train/train_tokenizer.py (default: the whole held-out split,
// tools/train/work/tokenizer/heldout-ids.json): same ids, and decode(encode(x)) == x.
// Usage (repository root; classpath as for tools/check_tokenizer.java in tools/README.md):
//   java -cp ... tools/train/CheckTokenizerFull.java [tools/train/work/tokenizer/heldout-ids.json]
// Exit status 0 = all good, 1 = a check failed.

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

public class CheckTokenizerFull {
    public static void main(String[] args) throws Exception {
        Path cases = Path.of(args.length > 0 ? args[0] : "tools/train/work/tokenizer/heldout-ids.json");
        JsonObject doc = JsonParser.parseString(Files.readString(cases, StandardCharsets.UTF_8)).getAsJsonObject();
        Path tokPath = cases.resolveSibling(doc.get("tokenizer").getAsString());
        int n = 0, idFail = 0, rtFail = 0;
        long tokens = 0, chars = 0;
        long t0 = System.nanoTime();
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(
                tokPath, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            for (JsonElement e : doc.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                String text = c.get("text").getAsString();
                long[] want = c.getAsJsonArray("ids").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
                long[] got = tok.encode(text, false, false).getIds();
                String back = tok.decode(got, false);
                n++;
                tokens += got.length;
                chars += text.length();
                if (!Arrays.equals(want, got)) {
                    int i = 0;
                    while (i < Math.min(want.length, got.length) && want[i] == got[i]) i++;
                    if (idFail++ < 5) {
                        System.out.printf("FAIL ids of case %d differ at token %d (%d vs %d tokens)%n", n - 1, i, got.length, want.length);
                    }
                }
                if (!back.equals(text) && rtFail++ < 5) {
                    System.out.printf("FAIL round trip of case %d%n", n - 1);
                }
            }
        }
        System.out.printf("%d cases, %d chars, %d tokens (%.2f s): %d id mismatches, %d round-trip failures%n",
                n, chars, tokens, (System.nanoTime() - t0) / 1e9, idFail, rtFail);
        System.out.println(idFail + rtFail == 0 ? "ALL OK" : "FAILURES");
        System.exit(idFail + rtFail == 0 ? 0 : 1);
    }
}
