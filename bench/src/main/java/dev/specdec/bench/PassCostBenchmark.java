package dev.specdec.bench;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.tree.TokenTree;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * What does one forward pass of a model cost, over {@code tokens} new tokens (a chain) on top of
 * {@code past} committed positions? Run it on a float model and on its {@code specdec quantize}
 * outputs to compare fp32, int8 and int4 weights, e.g.
 *
 * <pre>{@code
 * ./specdec quantize models/specdec-java/target.onnx /tmp/target-int8.onnx --bits 8
 * java -jar bench/target/benchmarks.jar PassCost \
 *     -p model=models/specdec-java/target.onnx,/tmp/target-int8.onnx -p tokens=1,8 -p past=200,600
 * }</pre>
 *
 * <p>Each invocation is one {@link CausalLm#forward} at cache length {@code past}: the new K/V go
 * to the same slots every time and are never committed. {@code model} is a path relative to the
 * working directory (or to {@code -Dspecdec.root}); {@code threads} and {@code spin} set the
 * engine's pool ({@link EngineOptions}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PassCostBenchmark {
  /** The ONNX decoder to run. */
  @Param({"models/specdec-java/target.onnx"})
  public String model;

  /** New tokens per pass (T). */
  @Param({"1", "8"})
  public int tokens;

  /** Committed positions under the pass (P). */
  @Param({"200"})
  public int past;

  /** Threads of ONNX Runtime's pool; 0 = every available processor. */
  @Param({"0"})
  public int threads;

  /** Whether idle pool threads spin. */
  @Param({"false"})
  public boolean spin;

  private Engine engine;
  private CausalLm lm;
  private TokenTree pass;

  /** Loads the model and commits {@code past} seeded random tokens. */
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
    engine = Engine.create(new EngineOptions(threads, spin));
    lm = engine.loadCausalLm(file, Device.cpu());
    int vocab = lm.info().vocabSize();
    SplittableRandom random = new SplittableRandom(11);
    int[] prefix = new int[past];
    prefix[0] = lm.info().bosTokenId();
    for (int i = 1; i < past; i++) {
      prefix[i] = 3 + random.nextInt(vocab - 3);
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
  }

  /** Closes the model and the engine. */
  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  /** One pass over {@code tokens} new tokens at cache length {@code past}. */
  @Benchmark
  public ForwardOutput forward() {
    return lm.forward(pass);
  }
}
