package dev.specdec.drafting;

/** Proposes the root alone, so each pass yields exactly one target token. Stateless. */
final class NoDrafter implements Drafter {
  static final NoDrafter INSTANCE = new NoDrafter();

  private NoDrafter() {}

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    return Proposal.rootOnly(context.last());
  }

  @Override
  public void accepted(int[] path) {}

  @Override
  public void reset() {}

  @Override
  public String name() {
    return "none";
  }
}
