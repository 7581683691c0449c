package dev.specdec.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.tree.TokenTree;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does {@link CausalLm#forward} add to ONNX Runtime's own run? Three ways to run the same pass
 * ({@code tokens} new tokens on {@code past} cached positions) on one global thread pool:
 *
 * <ul>
 *   <li>{@link #forward}: specdec's model, as a decoder calls it;
 *   <li>{@link #bareRun}: a bare {@code OrtSession.run} of a session on the same file, with every
 *       input and output tensor created once at setup and the outputs pinned — the floor;
 *   <li>{@link #bareRunFreshTensors}: the same, creating and closing the tensors in each call, as
 *       any caller must whose cache length changes between passes (ONNX Runtime's tensors have
 *       fixed shapes).
 * </ul>
 *
 * <pre>{@code
 * java -jar bench/target/benchmarks.jar ForwardOverhead -p past=200 -p tokens=1,8
 * }</pre>
 *
 * <p>This is the one benchmark that speaks to ONNX Runtime directly: the bare runs are the baseline
 * {@code forward} is measured against.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardOverheadBenchmark {
  /** The ONNX decoder to run. */
  @Param({"models/specdec-java/target.onnx"})
  public String model;

  /** New tokens per pass (T). */
  @Param({"1"})
  public int tokens;

  /** Cached positions under the pass (P). */
  @Param({"200"})
  public int past;

  /** Threads of ONNX Runtime's pool; 0 = every available processor. */
  @Param({"0"})
  public int threads;

  private Engine engine;
  private CausalLm lm;
  private TokenTree pass;

  private OrtEnvironment env;
  private OrtSession session;
  private final List<OnnxTensor> owned = new ArrayList<>();
  private final Map<String, OnnxTensor> inputs = new HashMap<>();
  private final Map<String, OnnxTensor> outputs = new HashMap<>();
  private final Map<String, FloatBuffer> floatData = new HashMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();
  private LongBuffer ids;
  private LongBuffer positions;

  /** Loads the model twice (specdec's and a bare session) and fills {@code past} positions. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path file =
        Path.of(System.getProperty("specdec.root", "."))
            .resolve(model)
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "run from the repository root or pass -Dspecdec.root=DIR");
    }
    engine = Engine.create(new EngineOptions(threads, false));
    lm = engine.loadCausalLm(file, Device.cpu());
    int vocab = lm.info().vocabSize();
    SplittableRandom random = new SplittableRandom(11);
    int[] prefix = new int[past];
    for (int i = 0; i < past; i++) {
      prefix[i] = i == 0 ? lm.info().bosTokenId() : 3 + random.nextInt(vocab - 3);
    }
    if (past > 0) {
      lm.forward(TokenTree.chainOf(prefix));
      lm.commitPrefix(past);
    }
    int[] nodes = new int[tokens];
    for (int i = 0; i < tokens; i++) {
      nodes[i] = 3 + random.nextInt(vocab - 3);
    }
    pass = TokenTree.chainOf(nodes);

    env = OrtEnvironment.getEnvironment(); // the engine's, with its global thread pool
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.disablePerSessionThreads();
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(file.toString(), options);
    }
    int kvHeads = lm.info().numKvHeads();
    int headSize = lm.info().headSize();
    ids = longs(tokens);
    positions = longs(tokens);
    for (int t = 0; t < tokens; t++) {
      ids.put(t, nodes[t]);
      positions.put(t, past + t);
    }
    FloatBuffer mask = floats((long) tokens * (past + tokens));
    for (int t = 0; t < tokens; t++) {
      for (int c = 0; c < past + tokens; c++) {
        mask.put(t * (past + tokens) + c, c <= past + t ? 0f : -1e9f);
      }
    }
    floatData.put("attention_mask", mask);
    shapes.put("attention_mask", new long[] {1, 1, tokens, past + tokens});
    for (int i = 0; i < lm.info().numLayers(); i++) {
      for (String kind : new String[] {"key", "value"}) {
        FloatBuffer cache = floats((long) (past + tokens) * kvHeads * headSize);
        for (int j = 0; j < past * kvHeads * headSize; j++) {
          cache.put(j, (float) (random.nextDouble() - 0.5));
        }
        floatData.put("past_" + kind + "_" + i, cache.slice(0, past * kvHeads * headSize));
        shapes.put("past_" + kind + "_" + i, new long[] {1, past, kvHeads, headSize});
        floatData.put(
            "new_" + kind + "_" + i,
            cache.slice(past * kvHeads * headSize, tokens * kvHeads * headSize));
        shapes.put("new_" + kind + "_" + i, new long[] {1, tokens, kvHeads, headSize});
      }
    }
    floatData.put("logits", floats((long) tokens * vocab));
    shapes.put("logits", new long[] {1, tokens, vocab});
    floatData.put("hidden_states", floats((long) tokens * lm.info().hiddenSize()));
    shapes.put("hidden_states", new long[] {1, tokens, lm.info().hiddenSize()});
    createTensors();
  }

  /** Closes the bare session's tensors and session, the model and the engine. */
  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    closeTensors();
    session.close();
    engine.close();
  }

  /** One pass through specdec's model. */
  @Benchmark
  public ForwardOutput forward() {
    return lm.forward(pass);
  }

  /** One bare run over tensors created at setup, outputs pinned. */
  @Benchmark
  public int bareRun() throws OrtException {
    try (OrtSession.Result result = session.run(inputs, Set.of(), outputs)) {
      return result.size();
    }
  }

  /** One bare run creating and closing its tensors, outputs pinned. */
  @Benchmark
  public int bareRunFreshTensors() throws OrtException {
    closeTensors();
    createTensors();
    try (OrtSession.Result result = session.run(inputs, Set.of(), outputs)) {
      return result.size();
    }
  }

  private void createTensors() throws OrtException {
    inputs.put("input_ids", own(OnnxTensor.createTensor(env, ids, new long[] {1, tokens})));
    inputs.put(
        "position_ids", own(OnnxTensor.createTensor(env, positions, new long[] {1, tokens})));
    for (Map.Entry<String, FloatBuffer> e : floatData.entrySet()) {
      OnnxTensor tensor = own(OnnxTensor.createTensor(env, e.getValue(), shapes.get(e.getKey())));
      (isOutput(e.getKey()) ? outputs : inputs).put(e.getKey(), tensor);
    }
  }

  private static boolean isOutput(String name) {
    return name.startsWith("new_") || name.equals("logits") || name.equals("hidden_states");
  }

  private void closeTensors() {
    for (OnnxTensor tensor : owned) {
      tensor.close();
    }
    owned.clear();
    inputs.clear();
    outputs.clear();
  }

  private OnnxTensor own(OnnxTensor tensor) {
    owned.add(tensor);
    return tensor;
  }

  private static FloatBuffer floats(long count) {
    return ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  private static LongBuffer longs(int count) {
    return ByteBuffer.allocateDirect(count * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }
}
