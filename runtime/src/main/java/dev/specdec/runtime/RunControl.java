package dev.specdec.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.RunCancelledException;
import java.util.function.Supplier;

/**
 * One model's ONNX Runtime run options, bound to a {@link Cancellation}: cancelling sets their
 * terminate flag, which cuts a run in flight short. Owned by the model and closed with it; every
 * pass goes through {@link #begin()} and {@link #end()}.
 */
final class RunControl implements AutoCloseable {
  private final Cancellation cancellation;
  private final String label;
  private final OrtSession.RunOptions options;
  private boolean closed; // guarded by the cancellation's lock

  private RunControl(Cancellation cancellation, String label, OrtSession.RunOptions options) {
    this.cancellation = cancellation;
    this.label = label;
    this.options = options;
  }

  /**
   * Run options for the model {@code label}, registered with {@code cancellation}.
   *
   * @throws OrtException when ONNX Runtime cannot create run options
   */
  static RunControl open(Cancellation cancellation, String label) throws OrtException {
    OrtSession.RunOptions options = new OrtSession.RunOptions();
    RunControl control = new RunControl(cancellation, label, options);
    cancellation.register(control);
    return control;
  }

  /**
   * The options for one pass, counted as in flight until {@link #end()}; call {@code end()} in a
   * {@code finally} when this returns.
   *
   * @throws RunCancelledException when the cancellation was cancelled: the pass must not run
   */
  OrtSession.RunOptions begin(long pass) {
    if (!cancellation.runStarting()) {
      throw new RunCancelledException(label + ": pass " + pass + " not run: generation stopped");
    }
    return options;
  }

  /** Ends a pass that {@link #begin} let run. */
  void end() {
    cancellation.runEnded();
  }

  /**
   * What a failed run becomes: {@link RunCancelledException} when the cancellation cut it short,
   * else {@code failure}'s exception.
   */
  RuntimeException failure(long pass, OrtException e, Supplier<RuntimeException> failure) {
    if (cancellation.isCancelled()) {
      return new RunCancelledException(label + ": pass " + pass + " cut short: generation stopped");
    }
    return failure.get();
  }

  /** Sets the terminate flag; called by the cancellation under its lock. */
  void terminate() {
    if (closed) {
      return;
    }
    try {
      options.setTerminate(true);
    } catch (OrtException e) {
      // Only a freed handle makes this fail, which the lock rules out; the pass then runs to its
      // end, and the next one is refused by begin().
    }
  }

  /** Unregisters and frees the run options; idempotent. */
  @Override
  public void close() {
    cancellation.unregister(
        this,
        () -> {
          if (!closed) {
            closed = true;
            options.close();
          }
        });
  }
}
