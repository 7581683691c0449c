package dev.specdec.runtime;

import ai.onnxruntime.OrtException;
import dev.specdec.model.CausalLm;
import dev.specdec.model.InferenceException;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.MtpModule;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A model loaded once (its ONNX Runtime session: weights and optimized graph) from which any number
 * of instances are made, each with its own state: a {@link CausalLm} or {@link MtpModule} with its
 * own KV cache and pass buffers, or {@link MedusaHeads} with their own pinned tensors. Instances
 * run the one shared session, so N concurrent generations cost the weights once plus N caches.
 *
 * <p>Made by {@link Engine#loadCausalLmWeights}, {@link Engine#loadMtpWeights} and {@link
 * Engine#loadMedusaWeights}, which validate the model once. Each instance is not thread-safe (one
 * decode loop drives it), but instances on different threads may run at the same time: ONNX
 * Runtime's {@code Run} is thread-safe on one session.
 *
 * <p>Ownership is reference-counted: this object holds one reference and every instance one more.
 * The session closes when {@link #close()} has been called and every instance is closed, in either
 * order: closing the weights does not cut short instances in use, and an instance's {@code close()}
 * releases only its own state. Closing the engine that loaded them closes all of them. {@link
 * #newInstance()} and {@link #close()} are thread-safe.
 *
 * @param <T> the instance type: {@link CausalLm}, {@link MtpModule} or {@link MedusaHeads}
 */
public final class ModelWeights<T extends AutoCloseable> implements AutoCloseable {
  /** Makes one instance over a session already retained for it. */
  @FunctionalInterface
  interface Factory<T> {
    T create(SharedSession session) throws OrtException;
  }

  private final SharedSession session;
  private final String label;
  private final Factory<T> factory;
  private final Consumer<ModelWeights<?>> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  ModelWeights(
      SharedSession session, String label, Factory<T> factory, Consumer<ModelWeights<?>> onClose) {
    this.session = session;
    this.label = label;
    this.factory = factory;
    this.onClose = onClose;
  }

  /**
   * A new instance with its own state (for a causal LM or MTP module: an empty KV cache sized for
   * the model's context, allocated now) over the shared session. The caller owns it and closes it.
   *
   * @throws IllegalStateException when these weights are closed
   * @throws InferenceException when ONNX Runtime cannot create the instance's tensors
   */
  public T newInstance() {
    if (closed.get()) {
      throw new IllegalStateException(label + ": weights are closed");
    }
    session.retain();
    try {
      return Objects.requireNonNull(factory.create(session), "instance");
    } catch (OrtException e) {
      session.release();
      throw new InferenceException(label + ": could not create an instance: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      session.release();
      throw e;
    }
  }

  /** How messages name the model, e.g. {@code model 'test-tiny-target'}. */
  public String label() {
    return label;
  }

  /** References held (this object's while open, one per open instance). For tests. */
  int references() {
    return session.references();
  }

  /**
   * Drops this object's reference: no new instances; the session closes once every instance is
   * closed too. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      onClose.accept(this);
      session.release();
    }
  }

  @Override
  public String toString() {
    return "ModelWeights[" + label + "]";
  }
}
