package dev.specdec.eval;

import dev.specdec.DrafterSpec;
import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.LookupFirstDrafter;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.PromptLookupDrafter;
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
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * The drafter a {@link DrafterSpec} names, built over a loaded bundle: loads the models it runs
 * (draft model, Medusa heads, MTP module) on the bundle's engine, which owns them.
 */
final class BundleDrafters {
  private BundleDrafters() {}

  /**
   * A built drafter, and the draft model when the drafter drafts chains with it (whose cost an
   * adaptive budget needs).
   */
  record Built(Drafter drafter, Optional<CausalLm> chainDraft) {}

  /**
   * Builds the drafter of {@code options} for {@code target}; the caller owns it. The bundle must
   * have the models it needs ({@link #missingModel}).
   *
   * @param random the draft model's generator, reseeded by every run
   */
  static Built build(
      Engine engine,
      ModelBundle bundle,
      Device device,
      DecodeOptions options,
      ModelInfo target,
      Random random)
      throws IOException, ModelContractException, DeviceUnavailableException, BundleException {
    CausalLm[] chainDraft = new CausalLm[1];
    Drafter drafter =
        switch (options.drafter()) {
          case DrafterSpec.None n -> Drafter.none();
          case DrafterSpec.DraftModel d ->
              draftModel(engine, bundle, device, options, random, chainDraft);
          case DrafterSpec.DraftTree d ->
              Drafter.draftModelTree(
                  engine.loadCausalLm(bundle.draft().orElseThrow(), device), d.tree());
          case DrafterSpec.Medusa m -> medusa(engine, bundle, device, m, target);
          case DrafterSpec.Lookup l -> PromptLookupDrafter.create(l.config());
          case DrafterSpec.LookupThenDraft l -> {
            LookupConfig config = l.config();
            // A minimum match of ngram-min is always in range, so of() cannot throw and leave
            // the draft model unowned.
            yield LookupFirstDrafter.of(
                config,
                draftModel(engine, bundle, device, options, random, chainDraft),
                config.ngramMin());
          }
          case DrafterSpec.Mtp m -> mtpDrafter(engine, bundle, device, options, m, target, random);
        };
    return new Built(drafter, Optional.ofNullable(chainDraft[0]));
  }

  private static Drafter draftModel(
      Engine engine,
      ModelBundle bundle,
      Device device,
      DecodeOptions options,
      Random random,
      CausalLm[] loaded)
      throws IOException, ModelContractException, DeviceUnavailableException {
    loaded[0] = engine.loadCausalLm(bundle.draft().orElseThrow(), device);
    return Drafter.draftModel(loaded[0], options.sampling(), options.draftTokens(), random);
  }

  private static Drafter mtpDrafter(
      Engine engine,
      ModelBundle bundle,
      Device device,
      DecodeOptions options,
      DrafterSpec.Mtp spec,
      ModelInfo target,
      Random random)
      throws IOException, ModelContractException, DeviceUnavailableException {
    return MtpDrafter.of(
        engine.loadMtp(bundle.mtp().orElseThrow(), device, target),
        options.sampling(),
        spec.config(),
        random);
  }

  private static Drafter medusa(
      Engine engine, ModelBundle bundle, Device device, DrafterSpec.Medusa spec, ModelInfo target)
      throws IOException, ModelContractException, DeviceUnavailableException, BundleException {
    MedusaHeads heads = engine.loadMedusaHeads(bundle.medusa().orElseThrow(), device);
    try {
      heads.requireTarget(target);
      return Drafter.medusa(heads, spec.tree());
    } catch (IllegalArgumentException e) {
      heads.close();
      throw new BundleException("bundle '" + bundle.name() + "': " + e.getMessage());
    }
  }

  /**
   * The model of {@code bundle} that {@code drafter} needs and the bundle lacks ({@code "draft
   * model"}, {@code "MTP module"}, {@code "Medusa heads"}), or empty when it has what it needs.
   */
  static Optional<String> missingModel(DrafterSpec drafter, ModelBundle bundle) {
    return switch (drafter) {
      case DrafterSpec.None n -> Optional.empty();
      case DrafterSpec.Lookup l -> Optional.empty();
      case DrafterSpec.DraftModel d -> absent(bundle.draft(), "draft model");
      case DrafterSpec.DraftTree d -> absent(bundle.draft(), "draft model");
      case DrafterSpec.LookupThenDraft l -> absent(bundle.draft(), "draft model");
      case DrafterSpec.Mtp m -> absent(bundle.mtp(), "MTP module");
      case DrafterSpec.Medusa m -> absent(bundle.medusa(), "Medusa heads");
    };
  }

  private static Optional<String> absent(Optional<Path> file, String what) {
    return file.isPresent() ? Optional.empty() : Optional.of(what);
  }
}
