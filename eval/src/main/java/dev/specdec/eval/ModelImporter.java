package dev.specdec.eval;

import dev.specdec.model.CausalLm;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Turns a checkpoint of another project into a specdec bundle: what {@code specdec import} does.
 *
 * <p>The conversion is Python ({@code tools/import_hf_llama.py}, {@code tools/import_llama2c.py}:
 * numpy and onnx are the right tools for it), shipped inside this jar and run with an external
 * Python 3 found as {@link PythonTool} says. The bundle is written into a hidden sibling of the
 * output folder, loaded once with ONNX Runtime and checked against the model contract, and only
 * then renamed into place: a failed import leaves nothing behind.
 *
 * <p>Stateless apart from the Python command; thread-safe.
 */
public final class ModelImporter {
  private static final long TIMEOUT_MINUTES = 60;
  private static final List<String> MODULES =
      List.of("import_llama2c.py", "onnx_llama.py", "safetensors_io.py", "sp_json.py");

  /** The formats {@code specdec import} reads. */
  public enum Source {
    /** A Hugging Face Llama-family checkpoint directory (config.json, safetensors, tokenizer). */
    HF("import_hf_llama.py"),
    /** A llama2.c checkpoint ({@code run.c} format) with its {@code tokenizer.bin}. */
    LLAMA2C("import_llama2c.py");

    private final String script;

    Source(String script) {
      this.script = script;
    }
  }

  /**
   * What to import.
   *
   * @param source the checkpoint's format
   * @param checkpoint the checkpoint: a directory for {@link Source#HF}, the {@code .bin} file for
   *     {@link Source#LLAMA2C}
   * @param tokenizer llama2.c's {@code tokenizer.bin} (required for {@link Source#LLAMA2C}); for
   *     {@link Source#HF} a {@code tokenizer.json} replacing the checkpoint's own (optional)
   * @param medusa Medusa heads in the FasterDecoding layout ({@code .safetensors}, {@link
   *     Source#HF} only)
   * @param name the bundle's name; empty: the checkpoint's
   * @param bos BOS id for llama2.c checkpoints (their files do not say); empty: 1
   * @param eos EOS id for llama2.c checkpoints; empty: 2
   */
  public record Request(
      Source source,
      Path checkpoint,
      Optional<Path> tokenizer,
      Optional<Path> medusa,
      Optional<String> name,
      Optional<Integer> bos,
      Optional<Integer> eos) {
    /** Validates the combination, so that every caller gets the same messages. */
    public Request {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(checkpoint, "checkpoint");
      Objects.requireNonNull(tokenizer, "tokenizer");
      Objects.requireNonNull(medusa, "medusa");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(bos, "bos");
      Objects.requireNonNull(eos, "eos");
      if (source == Source.LLAMA2C && tokenizer.isEmpty()) {
        throw new IllegalArgumentException(
            "a llama2.c checkpoint needs its tokenizer.bin (llama2.c's tokenizer file)");
      }
      if (source == Source.LLAMA2C && medusa.isPresent()) {
        throw new IllegalArgumentException(
            "Medusa heads can be imported with a HF checkpoint only");
      }
      if (source == Source.HF && (bos.isPresent() || eos.isPresent())) {
        throw new IllegalArgumentException(
            "a HF checkpoint names its BOS and EOS itself (config.json): BOS/EOS ids are for"
                + " llama2.c checkpoints");
      }
      name.ifPresent(
          n -> {
            if (n.isBlank()) {
              throw new IllegalArgumentException("the bundle name must not be blank");
            }
          });
      bos.ifPresent(id -> requireTokenId("BOS", id));
      eos.ifPresent(id -> requireTokenId("EOS", id));
    }

    private static void requireTokenId(String what, int id) {
      if (id < 0) {
        throw new IllegalArgumentException(what + " id must be >= 0, was " + id);
      }
    }

    /** The script's arguments for writing into {@code out}. */
    List<String> arguments(Path out) {
      List<String> args = new ArrayList<>();
      args.add(checkpoint.toString());
      if (source == Source.LLAMA2C) {
        args.add(tokenizer.orElseThrow().toString());
      } else {
        tokenizer.ifPresent(t -> args.addAll(List.of("--tokenizer", t.toString())));
        medusa.ifPresent(m -> args.addAll(List.of("--medusa", m.toString())));
      }
      args.add(out.toString());
      name.ifPresent(n -> args.addAll(List.of("--name", n)));
      bos.ifPresent(id -> args.addAll(List.of("--bos", Integer.toString(id))));
      eos.ifPresent(id -> args.addAll(List.of("--eos", Integer.toString(id))));
      return args;
    }
  }

  /**
   * What was imported.
   *
   * @param bundle the bundle as loaded from its new place
   * @param target what the target declared
   * @param log what the importer printed (one line per model)
   */
  public record Result(ModelBundle bundle, ModelInfo target, String log) {
    /** Validates presence. */
    public Result {
      Objects.requireNonNull(bundle, "bundle");
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(log, "log");
    }
  }

  private final String python;

  private ModelImporter(String python) {
    this.python = python;
  }

  /** An importer using the Python {@link PythonTool} finds. */
  public static ModelImporter create() {
    return new ModelImporter(PythonTool.defaultPython());
  }

  /** An importer running {@code python} (a command or a path). */
  public static ModelImporter withPython(String python) {
    Objects.requireNonNull(python, "python");
    if (python.isBlank()) {
      throw new IllegalArgumentException("python must name a command, was blank");
    }
    return new ModelImporter(python);
  }

  /**
   * Imports {@code request} into the new bundle folder {@code out}, checked with {@code engine}.
   *
   * @throws ImportException when the checkpoint is missing or not what its format needs, {@code
   *     out} exists, or Python 3 with numpy and onnx cannot be run (the message says which and how
   *     to fix it)
   * @throws IOException when the output cannot be written or moved into place
   */
  public Result importBundle(Engine engine, Request request, Path out)
      throws ImportException, IOException {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(out, "out");
    if (!Files.exists(request.checkpoint())) {
      throw new ImportException(request.checkpoint() + " does not exist");
    }
    if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      throw new ImportException(
          out + " already exists: give a new folder (specdec import never overwrites)");
    }
    Path absolute = out.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new ImportException(
          "the folder " + parent + " for " + out + " does not exist: create it first");
    }
    Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".import-");
    try {
      Path written = staging.resolve("bundle");
      String log = run(request, written);
      ModelInfo target = verify(engine, written, request.source());
      Files.move(written, absolute);
      return new Result(ModelBundle.load(absolute), target, log);
    } catch (BundleException e) {
      throw new IllegalStateException(
          "the imported bundle at " + out + " does not load (a bug): " + e.getMessage(), e);
    } finally {
      PythonTool.deleteTree(staging);
    }
  }

  private String run(Request request, Path written) throws ImportException, IOException {
    PythonTool tool = new PythonTool(python, request.source().script, MODULES);
    String script = "tools/" + request.source().script;
    PythonTool.Outcome outcome;
    try {
      outcome = tool.run(request.arguments(written), TIMEOUT_MINUTES);
    } catch (IOException e) {
      throw new ImportException(
          "specdec import runs "
              + script
              + " with Python 3 (numpy + onnx), but "
              + e.getMessage()
              + ": install python3 python3-numpy python3-onnx, or name one with"
              + " -Dspecdec.python or SPECDEC_PYTHON",
          e);
    } catch (TimeoutException e) {
      throw new ImportException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImportException("interrupted while importing", e);
    }
    return switch (outcome.exitCode()) {
      case 0 -> outcome.stdout().strip();
      case 1 -> throw new ImportException(outcome.errorMessage());
      case PythonTool.MISSING_MODULE ->
          throw new ImportException(
              "'" + python + "' cannot run " + script + ": " + outcome.errorMessage());
      default ->
          throw new IllegalStateException(
              script + " failed with exit status " + outcome.exitCode() + ": " + outcome.stderr());
    };
  }

  /** Loads what the importer wrote as decoding would: the target, and the Medusa heads if any. */
  private static ModelInfo verify(Engine engine, Path written, Source source)
      throws BundleException, IOException {
    ModelBundle bundle = ModelBundle.load(written);
    try (CausalLm lm = engine.loadCausalLm(bundle.target(), Device.cpu())) {
      ModelInfo target = lm.info();
      if (bundle.medusa().isPresent()) {
        try (MedusaHeads heads = engine.loadMedusaHeads(bundle.medusa().get(), Device.cpu())) {
          heads.requireTarget(target);
        }
      }
      return target;
    } catch (ModelContractException | DeviceUnavailableException | IllegalArgumentException e) {
      // The CPU is always available: any of these means the importer wrote a wrong model.
      throw new IllegalStateException(
          "ONNX Runtime rejects what tools/"
              + source.script
              + " wrote (a bug; please report it): "
              + e.getMessage(),
          e);
    }
  }
}
