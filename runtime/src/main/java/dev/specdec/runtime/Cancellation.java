package dev.specdec.runtime;

import dev.specdec.model.RunCancelledException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A request to stop generating, made from any thread (a signal handler, a UI thread, a test) and
 * honoured by every model loaded by an {@link Engine} created with it.
 *
 * <p>After {@link #cancel()}, a pass in flight is cut short through ONNX Runtime's terminate flag
 * ({@code RunOptions.setTerminate}), and every later pass fails before it reaches native code; both
 * throw {@link RunCancelledException}. {@code SpeculativeDecoder} turns that into the stop reason
 * {@code INTERRUPTED} and returns the tokens of the steps it completed, so the caller can report
 * them and close its models before the process exits: a JVM that exits while a thread is inside
 * {@code OrtSession.run} crashes in ONNX Runtime's native teardown.
 *
 * <p>One-way: a cancelled cancellation stays cancelled, and the models bound to it run no more
 * passes; to decode again, load them again with a new one. Thread-safe.
 */
public final class Cancellation {
  private final Object lock = new Object();
  private final Set<RunControl> controls = new LinkedHashSet<>(); // guarded by lock
  private int runsInFlight; // guarded by lock
  private volatile boolean cancelled;

  private Cancellation() {}

  /** A cancellation that nothing has cancelled yet. */
  public static Cancellation create() {
    return new Cancellation();
  }

  /**
   * Stops generation: terminates the passes in flight on every model bound to this cancellation and
   * makes their later passes fail at once. Idempotent; returns without waiting for the passes to
   * end (see {@link #awaitNoRunInFlight}).
   */
  public void cancel() {
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      // Under the lock: a model closing its run options concurrently waits, so setTerminate never
      // touches freed native memory.
      for (RunControl control : controls) {
        control.terminate();
      }
    }
  }

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled;
  }

  /**
   * Waits until no model bound to this cancellation is inside ONNX Runtime's {@code run}, for at
   * most {@code timeout}: what a process must wait for before it exits without closing its models.
   *
   * @return true when no run is in flight, false when the timeout passed first
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public boolean awaitNoRunInFlight(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (runsInFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  /** Registers a model's run options; terminated at once when already cancelled. */
  void register(RunControl control) {
    synchronized (lock) {
      controls.add(control);
      if (cancelled) {
        control.terminate();
      }
    }
  }

  /** Forgets a model's run options and then lets {@code closeAction} free them, under the lock. */
  void unregister(RunControl control, Runnable closeAction) {
    synchronized (lock) {
      controls.remove(control);
      closeAction.run();
    }
  }

  /**
   * Counts a pass entering native code.
   *
   * @return false, counting nothing, when already cancelled
   */
  boolean runStarting() {
    synchronized (lock) {
      if (cancelled) {
        return false;
      }
      runsInFlight++;
      return true;
    }
  }

  /** Counts a pass leaving native code. */
  void runEnded() {
    synchronized (lock) {
      runsInFlight--;
      lock.notifyAll();
    }
  }
}
