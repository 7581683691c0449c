package dev.specdec.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.specdec.model.CausalLm;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns the native tensors of one pass of a {@link CausalLm}: each is created through it and all are
 * closed when the pass's try-with-resources block ends, whatever happens in between. One owner for
 * the ~4L + 5 tensors of a pass instead of as many nested resources; reused across passes by the
 * model that holds it ({@link OnnxCausalLm}, {@link OptimumCausalLm}).
 *
 * <p>The tensors are views over the direct native-order buffers {@link #directFloats} and {@link
 * #directLongs} allocate, so ONNX Runtime reads and writes them without a copy.
 */
final class PassTensors implements AutoCloseable {
  private final OrtEnvironment env;
  private final String label; // "model 'name'" for messages
  private final List<OnnxTensor> owned = new ArrayList<>();
  private int live;

  PassTensors(OrtEnvironment env, String label) {
    this.env = env;
    this.label = label;
  }

  /** Starts a pass; to be the resource of the pass's try-with-resources block. */
  PassTensors begin() {
    if (!owned.isEmpty()) {
      throw new IllegalStateException(label + ": a pass is already running");
    }
    return this;
  }

  OnnxTensor floats(FloatBuffer data, long[] shape) throws OrtException {
    return own(OnnxTensor.createTensor(env, data, shape));
  }

  OnnxTensor longs(LongBuffer data, long[] shape) throws OrtException {
    return own(OnnxTensor.createTensor(env, data, shape));
  }

  /** A scalar-like boolean tensor of shape {@code [1]}. */
  OnnxTensor bool(boolean value) throws OrtException {
    return own(OnnxTensor.createTensor(env, new boolean[] {value}));
  }

  /** Native tensors created and not yet closed; 0 between passes. For tests. */
  int live() {
    return live;
  }

  private OnnxTensor own(OnnxTensor tensor) {
    owned.add(tensor);
    live++;
    return tensor;
  }

  @Override
  public void close() {
    for (OnnxTensor tensor : owned) {
      tensor.close();
      live--;
    }
    owned.clear();
  }

  /** A direct native-order buffer of {@code count} floats, for tensors to view. */
  static FloatBuffer directFloats(long count) {
    return ByteBuffer.allocateDirect(Math.toIntExact(count * Float.BYTES))
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  /** A direct native-order buffer of {@code count} longs, for tensors to view. */
  static LongBuffer directLongs(int count) {
    return ByteBuffer.allocateDirect(count * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }
}
