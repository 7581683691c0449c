package dev.specdec.drafting;

/**
 * Settings of the {@link MtpDrafter}.
 *
 * @param depth the most chained MTP steps per proposal: the deepest draft, in {@code [1, 64]}
 * @param branches children per expanded node, in {@code [1, 64]}: 1 drafts a chain; more drafts a
 *     tree (the top {@code branches} tokens when greedy, that many independent samples otherwise)
 * @param maxDrafts the most draft tokens per proposal (all branches together), in {@code [1, 64]}
 */
public record MtpConfig(int depth, int branches, int maxDrafts) {
  /** The largest value of each setting. */
  public static final int MAX = 64;

  /** Validates ranges with messages naming the setting and its value. */
  public MtpConfig {
    requireRange("depth", depth);
    requireRange("branches", branches);
    requireRange("draft tokens per step (k)", maxDrafts);
  }

  /** A chain of {@code depth} drafts. */
  public static MtpConfig chain(int depth) {
    return new MtpConfig(depth, 1, depth);
  }

  private static void requireRange(String name, int value) {
    if (value < 1 || value > MAX) {
      throw new IllegalArgumentException(name + " must be in [1, " + MAX + "], was " + value);
    }
  }
}
