package dev.specdec;

import dev.specdec.runtime.ModelWeights;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle instances of one loaded model, reused across generations so that a generation does not
 * allocate its KV cache anew: a generation takes one (or a new one when none is idle) and gives it
 * back when it ends. The pool grows to the most generations that ran at once and keeps that many.
 *
 * <p>Owns the weights and every idle instance; {@link #close()} closes them, and an instance given
 * back after that is closed at once. Thread-safe.
 */
final class InstancePool<T extends AutoCloseable> implements AutoCloseable {
  private final ModelWeights<T> weights;
  private final ConcurrentLinkedDeque<T> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger created = new AtomicInteger();
  private volatile boolean closed;

  InstancePool(ModelWeights<T> weights) {
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  /** An idle instance, or a new one; the caller gives it back with {@link #give}. */
  T take() {
    if (closed) {
      throw new IllegalStateException(weights.label() + ": the decoder is closed");
    }
    T instance = idle.pollFirst();
    if (instance != null) {
      return instance;
    }
    instance = weights.newInstance();
    created.incrementAndGet();
    return instance;
  }

  /** Takes {@code instance} back for reuse; its state is reset by whoever takes it next. */
  void give(T instance) {
    idle.addFirst(instance);
    if (closed) {
      drain(); // close() may have drained before this instance arrived
    }
  }

  /** Instances made so far: the most that were in use at once. For tests. */
  int created() {
    return created.get();
  }

  /** Idle instances now. For tests. */
  int idle() {
    return idle.size();
  }

  /** Closes every idle instance and the weights; instances in use close when given back. */
  @Override
  public void close() {
    closed = true;
    drain();
    weights.close();
  }

  private void drain() {
    for (T instance = idle.pollFirst(); instance != null; instance = idle.pollFirst()) {
      try {
        instance.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        // Instances are CausalLm, MtpModule or MedusaHeads, whose close() throws nothing checked.
        throw new IllegalStateException(weights.label() + ": closing an instance failed", e);
      }
    }
  }
}
