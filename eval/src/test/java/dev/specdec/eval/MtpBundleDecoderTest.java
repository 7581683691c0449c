package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.specdec.DrafterSpec;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mtp drafter through {@link BundleDecoder} and {@link DecodeOptions} on test-tiny. */
class MtpBundleDecoderTest {
  private static final Path TEST_TINY =
      Path.of(System.getProperty("specdec.root", "..")).resolve("models/test-tiny");

  /** Fixed budgets: the tests look at what the MTP drafter proposes and the target accepts. */
  private static DecodeOptions.Builder mtp() throws BundleException {
    return DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY))
        .drafter("mtp")
        .budget(BudgetMode.FIXED);
  }

  @Test
  void greedyMtpChainAndTreeComparisonsAreTokenIdenticalAndReportTheSettings() throws Exception {
    for (DecodeOptions options :
        new DecodeOptions[] {
          mtp().depth(3).maxNewTokens(40).build(),
          mtp().draftTokens(6).depth(3).mtpBranches(2).maxNewTokens(40).build()
        }) {
      try (BundleDecoder decoder = BundleDecoder.open(TEST_TINY, Device.cpu(), options)) {
        DecodeReport report = decoder.compare("To be, or not to be", text -> {});
        assertTrue(report.comparison().orElseThrow().identical(), options.toString());
        assertTrue(report.result().stats().acceptedTokens() > 0, "some MTP drafts accepted");
        JsonObject json = report.toJsonObject();
        assertEquals("mtp", json.get("drafter").getAsString());
        assertEquals(3, json.get("depth").getAsInt());
        assertEquals(
            ((DrafterSpec.Mtp) options.drafter()).branches(), json.get("branches").getAsInt());
        assertTrue(report.toText().contains(", depth 3, "), report.toText());
      }
    }
  }

  @Test
  void benchSpecWithDepthAndBranchesParsesBackToTheSameOptions() throws Exception {
    BenchConfig config =
        BenchConfig.parse(
            "mtp",
            "drafter=mtp,k=6,depth=3,mtp-branches=2",
            DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY)));
    assertEquals(new DrafterSpec.Mtp(3, 2, 6), config.options().drafter());
    assertTrue(config.spec().endsWith(",depth=3,mtp-branches=2,budget=auto"), config.spec());
    assertEquals(
        config.options(),
        BenchConfig.parse(
                "again", config.spec(), DecodeOptions.defaultsFor(ModelBundle.load(TEST_TINY)))
            .options());
  }

  @Test
  void depthDefaultsToKAndBranchesToOne() throws Exception {
    DecodeOptions options = mtp().draftTokens(5).build();
    assertEquals(new DrafterSpec.Mtp(5, 1, 5), options.drafter());
    assertEquals(
        DrafterSpec.draftModel(5),
        mtp().drafter("draft").draftTokens(5).depth(3).build().drafter());
  }

  @Test
  void rejectsMtpSettingsOutOfRange() {
    IllegalArgumentException range =
        assertThrows(IllegalArgumentException.class, () -> mtp().depth(0).build());
    assertEquals("depth must be in [1, 64], was 0", range.getMessage());
  }

  @Test
  void aBundleWithoutAnMtpModuleIsAClearError(@TempDir Path dir) throws Exception {
    for (String file : new String[] {"tokenizer.json", "target.onnx"}) {
      Files.copy(TEST_TINY.resolve(file), dir.resolve(file));
    }
    Files.writeString(
        dir.resolve("specdec.json"),
        "{\"format\": \"specdec-bundle/1\", \"tokenizer\": \"tokenizer.json\","
            + " \"target\": \"target.onnx\"}");
    ModelBundle bundle = ModelBundle.load(dir);
    DecodeOptions options = DecodeOptions.defaultsFor(bundle).drafter("mtp").build();
    BundleException e =
        assertThrows(
            BundleException.class, () -> BundleDecoder.open(bundle, Device.cpu(), options));
    assertTrue(
        e.getMessage().contains("has no MTP module, which drafter mtp needs"), e.getMessage());
  }
}
