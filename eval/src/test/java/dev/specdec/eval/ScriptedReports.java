package dev.specdec.eval;

import java.util.ArrayList;

/** The scripted evaluation of {@link AcceptanceEvalTest}, for the report writer's tests. */
public final class ScriptedReports {
  private ScriptedReports() {}

  /** Two configs (chain, tree) over two prompts in categories x and y. */
  public static EvalReport twoConfigs() throws Exception {
    return AcceptanceEvalTest.evaluate(new ArrayList<>());
  }
}
