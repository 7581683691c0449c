package dev.specdec.eval;

import java.util.Locale;

/** Which drafter a {@link BundleDecoder} runs. */
public enum DrafterKind {
  /** No drafter: plain decoding, one target pass per token. */
  NONE,
  /** The bundle's draft model drafts a chain of up to k tokens per step. */
  DRAFT;

  /** The lower-case name used on the command line and in reports: {@code none}, {@code draft}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
