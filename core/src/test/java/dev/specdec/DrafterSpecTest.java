package dev.specdec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.tree.TreeSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrafterSpecTest {

  @Test
  void eachSpecNamesItsDrafterAsTheCommandLineDoes() {
    List<DrafterSpec> specs =
        List.of(
            DrafterSpec.none(),
            DrafterSpec.draftModel(4),
            DrafterSpec.draftTree(TreeSpec.parse("medusa-8")),
            DrafterSpec.medusa(),
            DrafterSpec.mtp(2, 1),
            DrafterSpec.lookup(8),
            DrafterSpec.lookupThenDraft(4));
    List<String> names = specs.stream().map(DrafterSpec::name).toList();
    assertEquals(
        List.of("none", "draft", "draft", "medusa", "mtp", "lookup", "lookup+draft"), names);
  }

  @Test
  void draftTokensAreKOrTheTreeSizeCappedAt64() {
    assertEquals(0, DrafterSpec.none().draftTokens());
    assertEquals(5, DrafterSpec.draftModel(5).draftTokens());
    assertEquals(8, DrafterSpec.medusa().draftTokens());
    assertEquals(63, DrafterSpec.medusa(TreeSpec.parse("medusa-63")).draftTokens());
    assertEquals(4, DrafterSpec.draftTree(TreeSpec.parse("chain-4")).draftTokens());
    assertEquals(3, DrafterSpec.mtp(3, 1).draftTokens(), "a chain of depth 3");
    assertEquals(2 + 4 + 8, DrafterSpec.mtp(3, 2).draftTokens(), "the full binary tree");
    assertEquals(64, DrafterSpec.mtp(10, 4).draftTokens(), "capped");
  }

  @Test
  void rejectsKOutsideOneTo64NamingIt() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> DrafterSpec.draftModel(0));
    assertEquals("k (drafts per pass) must be in [1, 64], was 0", zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DrafterSpec.draftModel(65));
    assertThrows(IllegalArgumentException.class, () -> DrafterSpec.lookup(65));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DrafterSpec.Medusa(TreeSpec.parse("medusa-8"), 0));
  }

  @Test
  void lookupSettingsAreValidatedByTheDraftersOwnRules() {
    IllegalArgumentException min =
        assertThrows(IllegalArgumentException.class, () -> DrafterSpec.lookup(3, 0, 8, 1));
    assertEquals("ngram-min must be >= 1, was 0", min.getMessage());
    IllegalArgumentException max =
        assertThrows(IllegalArgumentException.class, () -> DrafterSpec.lookup(17, 1, 8, 1));
    assertTrue(
        max.getMessage().startsWith("ngram-max must be in [ngram-min, 16]"), max.getMessage());
    IllegalArgumentException branches =
        assertThrows(IllegalArgumentException.class, () -> DrafterSpec.lookupThenDraft(3, 2, 2, 3));
    assertTrue(branches.getMessage().startsWith("branches (3) must be <="), branches.getMessage());
  }

  @Test
  void lookupDefaultsMatchTheCommandLines() {
    assertEquals(new LookupConfig(3, 1, 8, 1, 64), DrafterSpec.lookup(8).config());
    assertEquals(new LookupConfig(3, 2, 4, 1, 64), DrafterSpec.lookupThenDraft(4).config());
  }

  @Test
  void mtpSettingsAreValidatedByMtpConfig() {
    assertEquals(new MtpConfig(2, 2, 6), DrafterSpec.mtp(2, 2).config());
    IllegalArgumentException depth =
        assertThrows(IllegalArgumentException.class, () -> DrafterSpec.mtp(0, 1));
    assertEquals("depth must be in [1, 64], was 0", depth.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DrafterSpec.mtp(2, 0));
  }

  @Test
  void specsAreValuesThatSwitchExhaustively() {
    assertEquals(DrafterSpec.lookup(8), DrafterSpec.lookup(3, 1, 8, 1));
    DrafterSpec spec = DrafterSpec.mtp(2, 1);
    String described =
        switch (spec) {
          case DrafterSpec.None n -> "plain";
          case DrafterSpec.DraftModel(int k) -> "chain of " + k;
          case DrafterSpec.DraftTree t -> "tree";
          case DrafterSpec.Medusa m -> "medusa";
          case DrafterSpec.Mtp(int depth, int branches, int k) -> "mtp depth " + depth;
          case DrafterSpec.Lookup l -> "lookup";
          case DrafterSpec.LookupThenDraft l -> "lookup+draft";
        };
    assertEquals("mtp depth 2", described);
  }
}
