// Runs models/test-tiny/{target,draft}.onnx with ONNX Runtime (Java) and compares them with
// models/test-tiny/reference.json (independent float64 torch implementation, written by
// tools/make_test_models.py):
//  * logits at the last prompt position (first 16 values, |diff| < 1e-3),
//  * greedy continuation of 24 tokens decoded incrementally with the KV cache
//    (prompt in one step with P=0, then one token per step with P>0),
//  * prints the declared inputs/outputs of every testdata/bad-models/*.onnx.
// Single-file source launch from the repository root; see tools/README.md for the classpath.

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class CheckOnnxModels {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Path dir = root.resolve("models/test-tiny");
        JsonObject ref = JsonParser.parseString(Files.readString(dir.resolve("reference.json"))).getAsJsonObject();
        long[] prompt = longs(ref.getAsJsonArray("prompt_ids").asList());
        int steps = ref.get("greedy_steps").getAsInt();
        int failures = 0;
        for (String key : new String[] {"target", "draft"}) {
            JsonObject r = ref.getAsJsonObject(key);
            try (OrtSession s = ENV.createSession(dir.resolve(r.get("model").getAsString()).toString())) {
                Map<String, String> meta = s.getMetadata().getCustomMetadata();
                int layers = Integer.parseInt(meta.get("specdec.num_layers"));
                int hkv = Integer.parseInt(meta.get("specdec.num_kv_heads"));
                int d = Integer.parseInt(meta.get("specdec.head_size"));
                int vocab = Integer.parseInt(meta.get("specdec.vocab_size"));
                List<float[]> cache = new ArrayList<>();
                for (int i = 0; i < 2 * layers; i++) cache.add(new float[0]);
                long[] ids = prompt;
                int past = 0;
                List<Long> out = new ArrayList<>();
                double maxDiff = 0;
                for (int step = 0; step <= steps; step++) {
                    int t = ids.length;
                    Map<String, OnnxTensor> in = new HashMap<>();
                    long[] pos = new long[t];
                    for (int i = 0; i < t; i++) pos[i] = past + i;
                    float[] mask = new float[t * (past + t)];
                    for (int q = 0; q < t; q++)
                        for (int c = 0; c < past + t; c++) mask[q * (past + t) + c] = c <= past + q ? 0f : -1e9f;
                    in.put("input_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(ids), new long[] {1, t}));
                    in.put("position_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(pos), new long[] {1, t}));
                    in.put("attention_mask", OnnxTensor.createTensor(ENV, FloatBuffer.wrap(mask), new long[] {1, 1, t, past + t}));
                    for (int i = 0; i < layers; i++) {
                        in.put("past_key_" + i, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(cache.get(2 * i)), new long[] {1, past, hkv, d}));
                        in.put("past_value_" + i, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(cache.get(2 * i + 1)), new long[] {1, past, hkv, d}));
                    }
                    try (OrtSession.Result res = s.run(in)) {
                        float[] logits = ((OnnxTensor) res.get("logits").get()).getFloatBuffer().array();
                        int last = (t - 1) * vocab;
                        if (step == 0) {
                            long[] shp = ((OnnxTensor) res.get("logits").get()).getInfo().getShape();
                            float[] want = floats(r.getAsJsonArray("last_prompt_logits_first16").asList());
                            for (int i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(want[i] - logits[last + i]));
                            System.out.printf("%s: logits shape %s, last-prompt logits max|diff| vs reference %.2e%n", key, Arrays.toString(shp), maxDiff);
                        }
                        int best = 0;
                        for (int v = 1; v < vocab; v++) if (logits[last + v] > logits[last + best]) best = v;
                        if (step < steps) out.add((long) best);
                        for (int i = 0; i < layers; i++) {
                            for (int kv = 0; kv < 2; kv++) {
                                String name = (kv == 0 ? "new_key_" : "new_value_") + i;
                                float[] nk = ((OnnxTensor) res.get(name).get()).getFloatBuffer().array();
                                float[] old = cache.get(2 * i + kv);
                                float[] cat = Arrays.copyOf(old, old.length + nk.length); // sequence-major: append
                                System.arraycopy(nk, 0, cat, old.length, nk.length);
                                cache.set(2 * i + kv, cat);
                            }
                        }
                        past += t;
                        ids = new long[] {best};
                    }
                    for (OnnxTensor x : in.values()) x.close();
                }
                List<Long> want = new ArrayList<>();
                for (JsonElement e : r.getAsJsonArray("greedy_continuation")) want.add(e.getAsLong());
                boolean ok = want.equals(out) && maxDiff < 1e-3;
                System.out.printf("%s %s greedy (KV cache) %s%n", ok ? "OK  " : "FAIL", key, out);
                if (!ok) {
                    System.out.printf("     reference %s%n", want);
                    failures++;
                }
            }
        }
        try (var files = Files.list(root.resolve("testdata/bad-models"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".onnx")).sorted().toList()) {
                try (OrtSession s = ENV.createSession(p.toString())) {
                    StringBuilder sb = new StringBuilder();
                    for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                        TensorInfo ti = (TensorInfo) e.getValue().getInfo();
                        sb.append(' ').append(e.getKey()).append(Arrays.toString(ti.getShape()));
                    }
                    System.out.printf("loads %s: metadata keys %d, inputs%s%n", p.getFileName(),
                            s.getMetadata().getCustomMetadata().size(), sb);
                }
            }
        }
        System.out.println(failures == 0 ? "ALL OK" : failures + " FAILURE(S)");
        System.exit(failures == 0 ? 0 : 1);
    }

    static long[] longs(List<JsonElement> l) {
        return l.stream().mapToLong(JsonElement::getAsLong).toArray();
    }

    static float[] floats(List<JsonElement> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = l.get(i).getAsFloat();
        return f;
    }
}
