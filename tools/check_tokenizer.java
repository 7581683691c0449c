// Checks models/test-tiny/tokenizer.json with DJL's HuggingFaceTokenizer (Rust `tokenizers` inside):
//  * it loads,
//  * encode (without special tokens) gives the same ids as sentencepiece for every case in
//    testdata/tokenizer-cases.json (written by tools/make_test_models.py),
//  * decode(encode(text)) == text,
//  * no BOS/EOS is added automatically, <unk>/<s>/</s> are ids 0/1/2.
// Single-file source launch from the repository root; see tools/README.md for the classpath.
// Exit status 0 = all good, 1 = a check failed.

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

public class CheckTokenizer {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Path cases = root.resolve("testdata/tokenizer-cases.json");
        JsonObject doc = JsonParser.parseString(Files.readString(cases, StandardCharsets.UTF_8)).getAsJsonObject();
        Path tokPath = root.resolve(doc.get("tokenizer").getAsString());
        int failures = 0;
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokPath)) {
            for (JsonElement e : doc.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                String text = c.get("text").getAsString();
                long[] want = c.getAsJsonArray("ids").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
                Encoding enc = tok.encode(text, true, false); // addSpecialTokens=true: must still add nothing
                long[] got = enc.getIds();
                String back = tok.decode(got, false);
                boolean idsOk = Arrays.equals(want, got);
                boolean rtOk = back.equals(text);
                System.out.printf("%s %s%n  ids  %s%n", idsOk && rtOk ? "OK  " : "FAIL", quote(text), Arrays.toString(got));
                if (!idsOk) {
                    System.out.printf("  sentencepiece %s%n", Arrays.toString(want));
                    failures++;
                }
                if (!rtOk) {
                    System.out.printf("  decoded %s%n", quote(back));
                    failures++;
                }
            }
            long[] specials = tok.encode("<unk><s></s>", false, false).getIds();
            boolean specOk = Arrays.equals(specials, new long[] {0, 1, 2});
            System.out.printf("%s special tokens <unk><s></s> -> %s%n", specOk ? "OK  " : "FAIL", Arrays.toString(specials));
            if (!specOk) failures++;
            String skipped = tok.decode(new long[] {1, 413, 2}, true);
            System.out.printf("     decode([1, 413, 2], skipSpecial) -> %s%n", quote(skipped));
        }
        System.out.println(failures == 0 ? "ALL OK" : failures + " FAILURE(S)");
        System.exit(failures == 0 ? 0 : 1);
    }

    static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}
