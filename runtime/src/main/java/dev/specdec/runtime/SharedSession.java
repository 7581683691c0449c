package dev.specdec.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.InferenceException;

/**
 * One ONNX Runtime session (a model's weights and its optimized graph) shared by the instances that
 * run it, closed when the last reference is released.
 *
 * <p>ONNX Runtime's {@code Run} is thread-safe on one session, so instances on different threads
 * may run it at once as long as each brings its own inputs and pinned outputs (their caches). The
 * count starts at one, the loader's reference; {@link #retain} adds one per instance. A holder
 * never calls {@code run} after its own {@link #release}, so the session cannot close under a pass.
 * Thread-safe.
 */
final class SharedSession {
  private final OrtSession session;
  private final String label; // "model 'name'" for messages
  private int references = 1; // guarded by this

  SharedSession(OrtSession session, String label) {
    this.session = session;
    this.label = label;
  }

  /** The session, for {@code run}; valid while the caller holds a reference. */
  OrtSession session() {
    return session;
  }

  /**
   * Adds a reference for a new instance.
   *
   * @throws IllegalStateException when the last reference was already released
   */
  synchronized void retain() {
    if (references == 0) {
      throw new IllegalStateException(label + " is closed");
    }
    references++;
  }

  /** References not yet released; 0 once the session is closed. For tests. */
  synchronized int references() {
    return references;
  }

  /**
   * Drops one reference; the last closes the session. Each holder releases exactly once.
   *
   * @throws InferenceException when ONNX Runtime fails to close the session
   */
  void release() {
    synchronized (this) {
      if (references == 0) {
        throw new IllegalStateException(label + ": released more often than retained");
      }
      if (--references > 0) {
        return;
      }
    }
    try {
      session.close();
    } catch (OrtException e) {
      throw new InferenceException(label + ": closing the ONNX Runtime session failed", e);
    }
  }
}
