// Runs every ONNX file of a bundle exported by tools/train/export.py in ONNX Runtime (Java) and
// compares with the torch outputs in tools/train/work/<name>-reference.json (written by export.py):
// target/draft (contract v1, P = 0, causal mask), medusa (hidden_states -> [K,B,T,V]) and mtp.
// Also times session creation and one 8-token call. Usage (repository root):
//   java -cp $R/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar:$GSON \
//        tools/train/CheckBundleOrt.java tools/train/work/<name>-reference.json
import ai.onnxruntime.*;
import com.google.gson.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

public class CheckBundleOrt {
    static OrtEnvironment env = OrtEnvironment.getEnvironment();
    static int failures = 0;

    public static void main(String[] args) throws Exception {
        JsonObject ref = JsonParser.parseString(Files.readString(Path.of(args[0]))).getAsJsonObject();
        Path dir = Path.of(ref.get("bundle").getAsString());
        long[] ids = ref.getAsJsonArray("input_ids").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
        int T = ids.length;
        JsonArray hsJ = ref.getAsJsonArray("hidden_states");
        int Hd = hsJ.get(0).getAsJsonArray().size();
        float[] hs = new float[T * Hd];
        for (int t = 0; t < T; t++) for (int j = 0; j < Hd; j++) hs[t * Hd + j] = hsJ.get(t).getAsJsonArray().get(j).getAsFloat();
        for (String key : new String[] {"target", "draft", "medusa", "mtp"}) {
            if (!ref.has(key)) continue;
            long t0 = System.nanoTime();
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setIntraOpNumThreads(1);
                try (OrtSession s = env.createSession(dir.resolve(key + ".onnx").toString(), so)) {
                    double load = (System.nanoTime() - t0) / 1e6;
                    Map<String, OnnxTensor> in = new HashMap<>();
                    int n = key.equals("mtp") ? T - 1 : T;
                    if (key.equals("medusa")) {
                        in.put("hidden_states", OnnxTensor.createTensor(env, FloatBuffer.wrap(hs), new long[] {1, T, Hd}));
                    } else {
                        long[] x = key.equals("mtp") ? Arrays.copyOfRange(ids, 1, T) : ids;
                        long[] pos = new long[n];
                        for (int t = 0; t < n; t++) pos[t] = key.equals("mtp") ? t + 1 : t;
                        float[] mask = new float[n * n];
                        for (int r = 0; r < n; r++) for (int c = 0; c < n; c++) mask[r * n + c] = c <= r ? 0f : -1e9f;
                        in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(x), new long[] {1, n}));
                        in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, n}));
                        in.put("attention_mask", OnnxTensor.createTensor(env, FloatBuffer.wrap(mask), new long[] {1, 1, n, n}));
                        if (key.equals("mtp")) {
                            in.put("hidden_states", OnnxTensor.createTensor(env, FloatBuffer.wrap(Arrays.copyOf(hs, n * Hd)), new long[] {1, n, Hd}));
                        }
                        Map<String, String> meta = s.getMetadata().getCustomMetadata();
                        int L = Integer.parseInt(meta.get("specdec.num_layers"));
                        int Hkv = Integer.parseInt(meta.get("specdec.num_kv_heads"));
                        int D = Integer.parseInt(meta.get("specdec.head_size"));
                        for (int i = 0; i < L; i++) {
                            in.put("past_key_" + i, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, 0, Hkv, D}));
                            in.put("past_value_" + i, OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, 0, Hkv, D}));
                        }
                    }
                    s.run(in).close(); // warm-up
                    long t1 = System.nanoTime();
                    try (OrtSession.Result r = s.run(in)) {
                        double run = (System.nanoTime() - t1) / 1e6;
                        OnnxTensor lg = (OnnxTensor) r.get("logits").get();
                        long[] shape = lg.getInfo().getShape();
                        float[] all = lg.getFloatBuffer().array();
                        int V = (int) shape[shape.length - 1];
                        JsonObject want = ref.getAsJsonObject(key);
                        int K = key.equals("medusa") ? (int) shape[0] : 1;
                        double maxd = 0;
                        boolean argOk = true;
                        for (int k = 0; k < K; k++) {
                            JsonArray w8 = key.equals("medusa") ? want.getAsJsonArray("logits_last_first8").get(k).getAsJsonArray() : want.getAsJsonArray("logits_last_first8");
                            JsonArray am = key.equals("medusa") ? want.getAsJsonArray("argmax").get(k).getAsJsonArray() : want.getAsJsonArray("argmax");
                            int base = k * n * V;
                            for (int j = 0; j < 8; j++) maxd = Math.max(maxd, Math.abs(all[base + (n - 1) * V + j] - w8.get(j).getAsFloat()));
                            for (int t = 0; t < n; t++) {
                                int best = 0;
                                for (int v = 1; v < V; v++) if (all[base + t * V + v] > all[base + t * V + best]) best = v;
                                if (best != am.get(t).getAsInt()) argOk = false;
                            }
                        }
                        boolean ok = maxd < 1e-3 && argOk;
                        if (!ok) failures++;
                        System.out.printf("%s %-6s logits %s: max|d| %.2e vs torch, argmax %s; load %.0f ms, %d-token call %.1f ms%n",
                                ok ? "OK  " : "FAIL", key, Arrays.toString(shape), maxd, argOk ? "equal" : "DIFFERENT", load, n, run);
                    }
                }
            }
        }
        System.out.println(failures == 0 ? "ALL OK" : failures + " FAILURE(S)");
        System.exit(failures == 0 ? 0 : 1);
    }
}
