package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.runtime.ModelInspection;
import dev.specdec.runtime.Quantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Rewrites a specdec model file or a whole bundle so that its MatMuls with constant weights run
 * quantized, as ONNX Runtime's {@code com.microsoft MatMulNBits}: what {@code specdec quantize}
 * does.
 *
 * <p>The graph rewriting is {@code tools/quantize.py} (numpy + onnx; ONNX Runtime's Java API has no
 * graph editing), shipped inside this jar and run with an external Python 3. The Python found is,
 * in order: the {@code specdec.python} system property, the {@code SPECDEC_PYTHON} environment
 * variable, {@code /usr/bin/python3} when it exists, else {@code python3} on the {@code PATH}.
 * Afterwards every written model is loaded once with ONNX Runtime and checked against its contract,
 * so a written model is one this runtime runs.
 *
 * <p>Stateless apart from the Python command; thread-safe.
 */
public final class ModelQuantizer {
  private static final long TIMEOUT_MINUTES = 30;

  private final PythonTool tool;

  private ModelQuantizer(PythonTool tool) {
    this.tool = tool;
  }

  /** A quantizer using the Python found as the class comment says. */
  public static ModelQuantizer create() {
    return new ModelQuantizer(PythonTool.of("quantize.py", java.util.List.of()));
  }

  /** A quantizer running {@code python} (a command or a path). */
  public static ModelQuantizer withPython(String python) {
    Objects.requireNonNull(python, "python");
    return new ModelQuantizer(create().tool.withPython(python));
  }

  /** The Python command this quantizer runs. */
  public String python() {
    return tool.python();
  }

  /**
   * One model written.
   *
   * @param role {@code target}, {@code draft}, {@code medusa} or {@code mtp} in a bundle; the file
   *     name for a single file
   * @param file the written file
   * @param matmuls how many MatMuls now run as MatMulNBits (or, for a reference, over dequantized
   *     weights); 0 for a bundle's model with nothing to quantize, copied unchanged
   * @param leftInFloat the weights left in floating point, each with the reason
   * @param bytesBefore the input file's size
   * @param bytesAfter the written file's size
   */
  public record QuantizedModel(
      String role,
      Path file,
      int matmuls,
      List<String> leftInFloat,
      long bytesBefore,
      long bytesAfter) {
    /** Copies the list. */
    public QuantizedModel {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(file, "file");
      leftInFloat = List.copyOf(leftInFloat);
    }
  }

  /**
   * What {@link #quantize} wrote.
   *
   * @param output the file or bundle directory written
   * @param settings the quantization
   * @param reference whether it is the dequantized reference rather than the quantized model
   * @param models each model written (a bundle's models in manifest order)
   */
  public record Result(
      Path output, Quantization settings, boolean reference, List<QuantizedModel> models) {
    /** Copies the list. */
    public Result {
      Objects.requireNonNull(output, "output");
      Objects.requireNonNull(settings, "settings");
      models = List.copyOf(models);
    }

    /** One line per model, as {@code specdec quantize} prints it. */
    public String toText() {
      StringBuilder b = new StringBuilder();
      for (QuantizedModel m : models) {
        if (m.matmuls() == 0) {
          b.append(m.role())
              .append(": ")
              .append(m.file())
              .append(": nothing to quantize, copied unchanged (")
              .append(String.join(", ", m.leftInFloat()))
              .append(")\n");
          continue;
        }
        b.append(
            String.format(
                Locale.ROOT,
                "%s: %s: %d MatMuls %s, %d left in float; %d -> %d bytes%n",
                m.role(),
                m.file(),
                m.matmuls(),
                reference
                    ? "over dequantized int" + settings.bits() + " weights (reference)"
                    : "-> MatMulNBits " + settings.describe(),
                m.leftInFloat().size(),
                m.bytesBefore(),
                m.bytesAfter()));
      }
      return b.toString();
    }
  }

  /**
   * Writes {@code in} (a specdec model file or a bundle directory) quantized with {@code settings}
   * to {@code out}, then loads what it wrote with {@code engine} (on the CPU) to check it.
   *
   * @throws QuantizeException when {@code in} is missing or is not a specdec model or bundle, holds
   *     nothing to quantize, {@code out} exists, or Python 3 with numpy and onnx cannot be run (the
   *     message says which and how to fix it)
   * @throws IOException when the script cannot be unpacked or its report read
   * @throws IllegalStateException when ONNX Runtime rejects a written model (a bug)
   */
  public Result quantize(Engine engine, Path in, Path out, Quantization settings)
      throws QuantizeException, IOException {
    return run(engine, in, out, settings, false);
  }

  /**
   * Writes the float model the quantized one approximates: {@link #quantize} with every rewritten
   * MatMul kept as a plain MatMul over the dequantized weights (exactly {@code (code - zero point)
   * * scale}). For checking a quantized model against its own reference.
   *
   * @throws QuantizeException as {@link #quantize}
   * @throws IOException as {@link #quantize}
   */
  public Result writeReference(Engine engine, Path in, Path out, Quantization settings)
      throws QuantizeException, IOException {
    return run(engine, in, out, settings, true);
  }

  private Result run(Engine engine, Path in, Path out, Quantization settings, boolean reference)
      throws QuantizeException, IOException {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(settings, "settings");
    if (!Files.exists(in)) {
      throw new QuantizeException(in + " does not exist");
    }
    if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new QuantizeException(
          out + " already exists: give a new path (specdec quantize never overwrites)");
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                in.toString(),
                out.toString(),
                "--bits",
                Integer.toString(settings.bits()),
                "--block",
                Integer.toString(settings.block()),
                "--accuracy-level",
                Integer.toString(settings.accuracyLevel()),
                "--json"));
    if (reference) {
      args.add("--reference");
    }
    Result result = parse(execute(args), in, settings, reference);
    verify(engine, result);
    return result;
  }

  /** Runs the script and returns its standard output; its failures become QuantizeExceptions. */
  private String execute(List<String> args) throws QuantizeException, IOException {
    PythonTool.Outcome outcome;
    try {
      outcome = tool.run(args, TIMEOUT_MINUTES);
    } catch (IOException e) {
      throw new QuantizeException(
          "specdec quantize runs tools/quantize.py with Python 3 (numpy + onnx), but "
              + e.getMessage()
              + ": install python3 python3-numpy python3-onnx, or name one with"
              + " -Dspecdec.python or SPECDEC_PYTHON",
          e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new QuantizeException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuantizeException("interrupted while quantizing", e);
    }
    return switch (outcome.exitCode()) {
      case 0 -> outcome.stdout();
      case 1 -> throw new QuantizeException(outcome.errorMessage());
      case PythonTool.MISSING_MODULE ->
          throw new QuantizeException(
              "'" + tool.python() + "' cannot run tools/quantize.py: " + outcome.errorMessage());
      default ->
          throw new IllegalStateException(
              "tools/quantize.py failed with exit status "
                  + outcome.exitCode()
                  + ": "
                  + outcome.stderr());
    };
  }

  private static Result parse(String stdout, Path in, Quantization settings, boolean reference)
      throws IOException {
    JsonObject json;
    try {
      JsonElement parsed = JsonParser.parseString(stdout.strip());
      json = parsed.getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException("tools/quantize.py printed no JSON report: " + stdout, e);
    }
    List<QuantizedModel> models = new ArrayList<>();
    for (JsonElement e : json.getAsJsonArray("models")) {
      JsonObject m = e.getAsJsonObject();
      List<String> left = new ArrayList<>();
      for (JsonElement s : m.getAsJsonArray("skipped")) {
        JsonObject o = s.getAsJsonObject();
        left.add(o.get("weight").getAsString() + " (" + o.get("reason").getAsString() + ")");
      }
      JsonArray quantized = m.getAsJsonArray("quantized");
      models.add(
          new QuantizedModel(
              m.has("role") ? m.get("role").getAsString() : in.getFileName().toString(),
              Path.of(m.get("out").getAsString()),
              quantized.size(),
              left,
              m.get("bytesIn").getAsLong(),
              m.get("bytesOut").getAsLong()));
    }
    return new Result(Path.of(json.get("output").getAsString()), settings, reference, models);
  }

  /** Loads every written model with ONNX Runtime once, as decoding would. */
  private static void verify(Engine engine, Result result) throws IOException {
    try {
      if (Files.isDirectory(result.output())) {
        ModelBundle bundle = ModelBundle.load(result.output());
        ModelInfo target;
        try (CausalLm lm = engine.loadCausalLm(bundle.target(), Device.cpu())) {
          target = lm.info();
        }
        if (bundle.draft().isPresent()) {
          engine.loadCausalLm(bundle.draft().get(), Device.cpu()).close();
        }
        if (bundle.medusa().isPresent()) {
          try (MedusaHeads heads = engine.loadMedusaHeads(bundle.medusa().get(), Device.cpu())) {
            heads.requireTarget(target);
          }
        }
        if (bundle.mtp().isPresent()) {
          try (MtpModule mtp = engine.loadMtp(bundle.mtp().get(), Device.cpu(), target)) {
            Objects.requireNonNull(mtp.info());
          }
        }
      } else {
        ModelInspection inspection = engine.inspect(result.output());
        Optional<String> problem = inspection.problem();
        if (problem.isPresent() && inspection.metadata().get("specdec.role") != null) {
          String role = inspection.metadata().get("specdec.role");
          if ("decoder".equals(role)) {
            throw new ModelContractException(problem.get());
          }
          // Medusa heads and MTP modules are not decoders: ONNX Runtime loaded the file, which
          // is what can be checked without their target.
        }
      }
    } catch (BundleException
        | ModelContractException
        | DeviceUnavailableException
        | IllegalArgumentException e) {
      throw new IllegalStateException(
          "ONNX Runtime rejects what tools/quantize.py wrote to "
              + result.output()
              + " (a bug; please report it): "
              + e.getMessage(),
          e);
    }
  }
}
