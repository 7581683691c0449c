package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.model.CausalLm;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Cancellation;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.runtime.ModelContractException;
import dev.specdec.verification.PassCost;
import dev.specdec.verification.PassCostCache;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link PassCost}s of a bundle's models on this machine: read from the {@link PassCostCache}
 * when a probe for the same model file, device and thread setting is there, probed (well under a
 * second on the shipped bundle) and saved otherwise.
 */
public final class PassCosts {
  private PassCosts() {}

  /**
   * The costs of {@code bundle}'s target and (when it has one) draft model, by name ({@code
   * target}, {@code draft}), on an engine with {@code options}.
   *
   * @param refresh probe even when cached costs exist (and replace them)
   */
  public static Map<String, PassCost> measure(
      ModelBundle bundle, Device device, EngineOptions options, boolean refresh)
      throws BundleException, IOException, ModelContractException, DeviceUnavailableException {
    Objects.requireNonNull(bundle, "bundle");
    String setting = options.costSetting(device);
    PassCostCache cache = PassCostCache.user();
    Map<String, PassCost> costs = new LinkedHashMap<>();
    try (Engine engine = Engine.create(options, Cancellation.create())) {
      try (CausalLm target = engine.loadCausalLm(bundle.target(), device)) {
        costs.put("target", cache.costOf(target, bundle.target(), setting, refresh));
      }
      if (bundle.draft().isPresent()) {
        try (CausalLm draft = engine.loadCausalLm(bundle.draft().get(), device)) {
          costs.put("draft", cache.costOf(draft, bundle.draft().get(), setting, refresh));
        }
      }
    }
    return costs;
  }

  /**
   * The costs as a table per model: T, milliseconds per pass at each past length, and the cost
   * relative to one token at the larger past.
   */
  public static String toText(Map<String, PassCost> costs) {
    StringBuilder out = new StringBuilder();
    costs.forEach(
        (name, cost) -> {
          int[] pasts = cost.pasts();
          out.append(name).append(": ").append(cost.key()).append('\n');
          out.append(
              String.format(
                  Locale.ROOT,
                  "%6s %14s %14s %10s%n",
                  "T",
                  "ms @P=" + pasts[0],
                  "ms @P=" + pasts[1],
                  "x T=1"));
          double[][] nanos = cost.nanos();
          int[] tokens = cost.tokens();
          for (int t = 0; t < tokens.length; t++) {
            out.append(
                String.format(
                    Locale.ROOT,
                    "%6d %14.3f %14.3f %10.2f%n",
                    tokens[t],
                    nanos[0][t] / 1e6,
                    nanos[1][t] / 1e6,
                    nanos[1][t] / nanos[1][0]));
          }
        });
    return out.toString();
  }

  /** The costs as JSON: per model its key, token counts, pasts and nanoseconds per cell. */
  public static String toJson(Map<String, PassCost> costs) {
    JsonObject json = new JsonObject();
    costs.forEach(
        (name, cost) -> {
          JsonObject model = new JsonObject();
          model.addProperty("key", cost.key());
          JsonArray tokens = new JsonArray();
          for (int t : cost.tokens()) {
            tokens.add(t);
          }
          model.add("tokens", tokens);
          JsonArray pasts = new JsonArray();
          for (int p : cost.pasts()) {
            pasts.add(p);
          }
          model.add("pasts", pasts);
          JsonArray nanos = new JsonArray();
          for (double[] row : cost.nanos()) {
            JsonArray cells = new JsonArray();
            for (double v : row) {
              cells.add(v);
            }
            nanos.add(cells);
          }
          model.add("nanos", nanos);
          json.add(name, model);
        });
    return ReportJson.pretty(json);
  }
}
