package dev.specdec.cli;

import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.SpeedBenchmark;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on stderr: on a terminal, a one-line bar redrawn in place with a carriage return;
 * otherwise one plain line per prompt ({@code config draft: prompt 3/10}, as bench prints), so that
 * logs and pipes get no control characters.
 */
final class ProgressBar implements SpeedBenchmark.Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean enabled;
  private boolean drawn;

  private ProgressBar(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /** A bar when the process runs on a terminal, else one line per prompt. */
  static ProgressBar onTerminal(PrintWriter err) {
    return new ProgressBar(err, isTerminal());
  }

  /** A bar that always draws (for tests). */
  static ProgressBar always(PrintWriter err) {
    return new ProgressBar(err, true);
  }

  @Override
  public void onPrompt(BenchConfig config, int index, int count) {
    if (!enabled) {
      err.println("config " + config.name() + ": prompt " + index + "/" + count);
      err.flush();
      return;
    }
    int filled = (int) ((long) WIDTH * (index - 1) / count);
    err.print(
        String.format(
            Locale.ROOT,
            "\r%-16.16s [%s%s] %d/%d",
            config.name(),
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            index,
            count));
    err.flush();
    drawn = true;
  }

  /** Ends the bar's line, if one was drawn. */
  void finish() {
    if (drawn) {
      err.println();
      err.flush();
      drawn = false;
    }
  }

  /**
   * Whether stdin/stdout are a terminal. From JDK 22 {@link System#console()} is non-null even when
   * redirected and {@code Console.isTerminal()} tells; it is looked up reflectively because the
   * code targets Java 21, where a non-null console already means a terminal.
   */
  private static boolean isTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: a console exists only on a terminal
    }
  }
}
