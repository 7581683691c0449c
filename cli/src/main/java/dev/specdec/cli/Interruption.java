package dev.specdec.cli;

import dev.specdec.runtime.Cancellation;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How a running command is stopped from outside: Ctrl-C (SIGINT) or {@code kill} (SIGTERM).
 *
 * <p>The first signal cancels the command's {@link Cancellation}: generation stops at the next step
 * (a pass in flight is cut short inside ONNX Runtime), the command prints what it has and closes
 * its models, and {@code main} exits with 130 (SIGINT) or 143 (SIGTERM). A second signal ends the
 * process at once, after at most {@link #NATIVE_GRACE} for a pass still inside ONNX Runtime to
 * return (the JVM's exit tears down ONNX Runtime's native state, and a thread still running in it
 * then crashes the JVM), without waiting for the command to print or close anything.
 *
 * <p>The JVM's own handling of these signals starts its shutdown while the command keeps running,
 * which is exactly that crash; so {@link #forProcess()} installs handlers of its own through {@code
 * sun.misc.Signal} (looked up reflectively: the class is supported in {@code jdk.unsupported}, but
 * javac's warning about it cannot be suppressed under {@code -Werror}). When that is unavailable,
 * or the JVM shuts down for another reason (SIGHUP, {@code System.exit} elsewhere), a shutdown hook
 * cancels and waits up to {@link #EXIT_GRACE} for the command to finish. A signal that was ignored
 * when the JVM started (a background job of a non-interactive shell ignores SIGINT) stays ignored.
 */
final class Interruption {
  /** How long the shutdown hook waits for the command to print its results and close its models. */
  static final Duration EXIT_GRACE = Duration.ofSeconds(10);

  /** How long a second signal waits for a pass inside ONNX Runtime to return before exiting. */
  static final Duration NATIVE_GRACE = Duration.ofSeconds(2);

  private final Cancellation cancellation = Cancellation.create();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicBoolean requested = new AtomicBoolean();
  private volatile int exitCode = ExitCodes.INTERRUPTED;
  private volatile String cause = "a request to stop";
  private volatile boolean exitingNow; // a second signal: the shutdown hook must not wait

  private Interruption() {}

  /** An interruption that only {@link #interrupt} triggers: for running commands in-process. */
  static Interruption create() {
    return new Interruption();
  }

  /**
   * The interruption of this process: SIGINT and SIGTERM handlers and a shutdown hook, installed
   * now. Call {@link #finished()} once the command has returned.
   */
  static Interruption forProcess() {
    Interruption interruption = new Interruption();
    Runtime.getRuntime().addShutdownHook(new Thread(interruption::onShutdown, "specdec-shutdown"));
    interruption.handle("INT", ExitCodes.INTERRUPTED);
    interruption.handle("TERM", ExitCodes.TERMINATED);
    return interruption;
  }

  /** What the command's models are loaded with. */
  Cancellation cancellation() {
    return cancellation;
  }

  /** Whether the command was asked to stop. */
  boolean interrupted() {
    return cancellation.isCancelled();
  }

  /** The exit code of an interrupted command: 130 after SIGINT, 143 after SIGTERM. */
  int exitCode() {
    return exitCode;
  }

  /**
   * Asks the command to stop, as signal {@code cause} does; the first call wins.
   *
   * @param code the exit code the command then ends with
   * @return whether this was the first call
   */
  boolean interrupt(String cause, int code) {
    if (!requested.compareAndSet(false, true)) {
      return false;
    }
    this.cause = cause;
    this.exitCode = code;
    cancellation.cancel();
    return true;
  }

  /**
   * Prints the one-line notice of an interrupted command on {@code err}, e.g. {@code specdec:
   * interrupted by SIGINT: stopped after 57 new tokens}, and returns the exit code to end with.
   */
  int report(PrintWriter err, String what) {
    err.println("specdec: interrupted by " + cause + ": " + what);
    err.flush();
    return exitCode;
  }

  /** Tells the shutdown hook that the command has returned, its models closed. */
  void finished() {
    finished.countDown();
  }

  private void onSignal(String cause, int code) {
    if (interrupt(cause, code)) {
      return;
    }
    // A second signal: the user does not want to wait for the command to finish.
    cancellation.cancel();
    try {
      cancellation.awaitNoRunInFlight(NATIVE_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    PrintStream err = System.err;
    err.println();
    err.println("specdec: " + cause + " again: exiting without waiting for the command to finish");
    err.flush();
    exitingNow = true;
    // exit, not halt: the other shutdown hooks still delete the native libraries' temporary files.
    Runtime.getRuntime().exit(exitCode);
  }

  private void onShutdown() {
    interrupt("shutdown", ExitCodes.INTERRUPTED);
    if (exitingNow) {
      return;
    }
    try {
      finished.await(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Handles signal {@code name} with {@link #onSignal}; leaves the JVM's handling when it cannot.
   */
  private void handle(String name, int code) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler calls =
          (proxy, method, args) ->
              switch (method.getName()) {
                case "handle" -> {
                  onSignal("SIG" + name, code);
                  yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "specdec SIG" + name + " handler";
              };
      Object instance =
          Proxy.newProxyInstance(
              Interruption.class.getClassLoader(), new Class<?>[] {handler}, calls);
      Method install = signal.getMethod("handle", signal, handler);
      install.invoke(null, signal.getConstructor(String.class).newInstance(name), instance);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // No sun.misc.Signal (another JVM), or the signal is reserved: the JVM's shutdown on the
      // signal runs the shutdown hook, which stops the command and waits for it.
    }
  }
}
