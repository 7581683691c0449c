package dev.specdec.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeAttention;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link CausalLm} over an ONNX Runtime session that follows the specdec model contract.
 *
 * <p>The KV cache is one direct native-order buffer per layer for keys and one for values, each
 * {@code [maxPositions, Hkv, D]} (sequence-major), allocated at load. A pass feeds the committed
 * prefix as zero-copy tensor views over the first {@code P} rows and pins the {@code new_key_i} /
 * {@code new_value_i} outputs to the rows right after them, so ONNX Runtime writes new keys and
 * values straight into the cache: nothing is copied except by {@link #commit} of a non-contiguous
 * path. Logits, hidden states and the three small inputs live in preallocated direct buffers sized
 * for the largest T seen so far.
 *
 * <p>The session is shared ({@link ModelWeights}): this object owns only its cache and buffers, so
 * instances on other threads may run the same session at the same time.
 *
 * <p>The same machinery runs an MTP module ({@link Layout#MTP}, wrapped by {@link OnnxMtpModule}):
 * one more input, the caller's hidden states per node, and positions shifted by one.
 */
final class OnnxCausalLm implements CausalLm {
  /**
   * How a session's tensors map onto a pass.
   *
   * @param hiddenOutput the output holding the final-norm hidden states
   * @param hiddenInput the input that takes hidden states from the caller, or {@code null}
   * @param positionOffset added to every position: cache row j sits at position j + offset
   */
  record Layout(String hiddenOutput, String hiddenInput, int positionOffset) {
    /** A decoder of the model contract. */
    static final Layout DECODER = new Layout("hidden_states", null, 0);

    /** An MTP module: slot j holds (hidden state at j, token j + 1) at position j + 1. */
    static final Layout MTP = new Layout("hidden_states_out", "hidden_states", 1);
  }

  /** Rows the input/output buffers start with; they grow when a larger tree comes. */
  private static final int INITIAL_MAX_T = 16;

  private final SharedSession shared; // released, not closed: other instances may run it
  private final OrtSession session;
  private final ModelInfo info;
  private final String label; // "model 'name'" for messages
  private final Consumer<OnnxCausalLm> onClose;
  private final Layout layout;
  private final int layers;
  private final int row; // floats per cache row of one layer's keys (or values): Hkv * D
  private final long[] kvShapeTail; // {Hkv, D}

  private final FloatBuffer[] keys; // per layer (maxPositions, Hkv, D)
  private final FloatBuffer[] values; // per layer (maxPositions, Hkv, D)

  private int maxT; // rows the buffers below hold
  private LongBuffer inputIds; // (maxT)
  private LongBuffer positionIds; // (maxT)
  private FloatBuffer mask; // (maxT, maxPositions) used as (T, P + T)
  private FloatBuffer logits; // (maxT, V)
  private FloatBuffer hidden; // (maxT, H)
  private FloatBuffer hiddenIn; // (maxT, H) the caller's hidden states; MTP layout only

  // Reused per pass: no maps allocated on the hot path.
  private final Map<String, OnnxTensor> inputs = new HashMap<>();
  private final Map<String, OnnxTensor> outputs = new HashMap<>();
  private final PassTensors passTensors;
  private final RunControl runControl;

  private int cacheLength;
  private TokenTree pending; // the last forward's tree while uncommitted, else null
  private int generation; // bumped on every state change; outdates ForwardOutput views
  private long passes;
  private long tokensRun;
  private long rowsCommitted;
  private long rowsCopied;
  private boolean closed;

  OnnxCausalLm(
      OrtEnvironment env,
      SharedSession session,
      ModelInfo info,
      Cancellation cancellation,
      Consumer<OnnxCausalLm> onClose)
      throws OrtException {
    this(env, session, info, cancellation, onClose, Layout.DECODER);
  }

  /**
   * Holds one reference to {@code session}, taken by the caller, and releases it on close; its
   * passes stop when {@code cancellation} is cancelled.
   *
   * @throws OrtException when ONNX Runtime cannot create the run options (nothing else fails)
   */
  OnnxCausalLm(
      OrtEnvironment env,
      SharedSession session,
      ModelInfo info,
      Cancellation cancellation,
      Consumer<OnnxCausalLm> onClose,
      Layout layout)
      throws OrtException {
    this.layout = layout;
    this.shared = session;
    this.session = session.session();
    this.info = info;
    this.label = "model '" + info.name() + "'";
    this.onClose = onClose;
    this.passTensors = new PassTensors(env, label);
    this.layers = info.numLayers();
    this.row = info.kvRowSize();
    this.kvShapeTail = new long[] {info.numKvHeads(), info.headSize()};
    this.keys = new FloatBuffer[layers];
    this.values = new FloatBuffer[layers];
    for (int i = 0; i < layers; i++) {
      keys[i] = PassTensors.directFloats((long) info.maxPositions() * row);
      values[i] = PassTensors.directFloats((long) info.maxPositions() * row);
    }
    allocatePassBuffers(Math.min(INITIAL_MAX_T, info.maxPositions()));
    // Last: nothing after it can fail and leave the run options registered but unowned.
    this.runControl = RunControl.open(cancellation, label);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public int cacheLength() {
    return cacheLength;
  }

  @Override
  public int capacity() {
    return info.maxPositions() - layout.positionOffset();
  }

  @Override
  public ForwardOutput forward(TokenTree tree) {
    if (layout.hiddenInput() != null) {
      throw new IllegalStateException(
          label + " takes hidden states with every pass: call forward(tree, hiddenStates)");
    }
    return run(tree, null);
  }

  /**
   * A pass of a model whose layout has a hidden-state input: {@code hiddenStates} holds one row of
   * H floats per tree node, node-major, and is copied into the model's input buffer.
   */
  ForwardOutput forward(TokenTree tree, float[] hiddenStates) {
    if (layout.hiddenInput() == null) {
      throw new IllegalStateException(label + " takes no hidden states: call forward(tree)");
    }
    int needed = tree.size() * info.hiddenSize();
    if (hiddenStates.length < needed) {
      throw new IllegalArgumentException(
          label
              + ": hidden states for "
              + tree.size()
              + " nodes need "
              + needed
              + " floats ("
              + tree.size()
              + " x "
              + info.hiddenSize()
              + "), found "
              + hiddenStates.length);
    }
    return run(tree, hiddenStates);
  }

  private ForwardOutput run(TokenTree tree, float[] hiddenStates) {
    requireOpen();
    int t = tree.size();
    int p = cacheLength;
    PassChecks.requireRoom(label, p, t, capacity());
    PassChecks.requireTokensInVocabulary(label, tree, info.vocabSize());
    if (t > maxT) {
      allocatePassBuffers(Math.max(t, Math.min(capacity(), 2 * maxT)));
    }
    OrtSession.RunOptions runOptions = runControl.begin(passes + 1);
    pending = null;
    generation++;
    passes++;
    TreeAttention.writeInputIds(tree, inputIds);
    TreeAttention.writePositionIds(tree, p + layout.positionOffset(), positionIds);
    TreeAttention.writeMask(tree, p, mask);

    try (PassTensors tensors = passTensors.begin()) {
      long[] tokensShape = {1, t};
      inputs.put("input_ids", tensors.longs(inputIds.slice(0, t), tokensShape));
      inputs.put("position_ids", tensors.longs(positionIds.slice(0, t), tokensShape));
      if (hiddenStates != null) {
        int floats = t * info.hiddenSize();
        hiddenIn.put(0, hiddenStates, 0, floats);
        inputs.put(
            layout.hiddenInput(),
            tensors.floats(hiddenIn.slice(0, floats), new long[] {1, t, info.hiddenSize()}));
      }
      inputs.put(
          "attention_mask",
          tensors.floats(mask.slice(0, TreeAttention.maskSize(t, p)), new long[] {1, 1, t, p + t}));
      long[] pastShape = {1, p, kvShapeTail[0], kvShapeTail[1]};
      long[] newShape = {1, t, kvShapeTail[0], kvShapeTail[1]};
      for (int i = 0; i < layers; i++) {
        inputs.put(ModelContract.pastKey(i), tensors.floats(keys[i].slice(0, p * row), pastShape));
        inputs.put(
            ModelContract.pastValue(i), tensors.floats(values[i].slice(0, p * row), pastShape));
        outputs.put(
            ModelContract.newKey(i), tensors.floats(keys[i].slice(p * row, t * row), newShape));
        outputs.put(
            ModelContract.newValue(i), tensors.floats(values[i].slice(p * row, t * row), newShape));
      }
      outputs.put(
          "logits",
          tensors.floats(
              logits.slice(0, t * info.vocabSize()), new long[] {1, t, info.vocabSize()}));
      outputs.put(
          layout.hiddenOutput(),
          tensors.floats(
              hidden.slice(0, t * info.hiddenSize()), new long[] {1, t, info.hiddenSize()}));
      // Every output is pinned: the Result owns nothing, but it is closed all the same.
      try (OrtSession.Result result = session.run(inputs, Set.of(), outputs, runOptions)) {
        assert result.size() == outputs.size();
      }
    } catch (OrtException e) {
      throw runControl.failure(
          passes,
          e,
          () ->
              PassChecks.runFailed(
                  label, passes, t, p + layout.positionOffset(), info.maxPositions(), e));
    } finally {
      runControl.end();
      inputs.clear();
      outputs.clear();
    }
    tokensRun += t;
    PassChecks.requireFiniteLogits(label, passes, t, p, logits, info.vocabSize());
    pending = tree;
    return new PassOutput(label, info, () -> generation, t, logits, hidden, null);
  }

  @Override
  public void commit(int[] nodes) {
    TokenTree tree = requirePending();
    if (nodes.length > tree.size()) {
      throw new IllegalArgumentException(
          label + ": cannot commit " + nodes.length + " nodes of a pass over " + tree.size());
    }
    for (int k = 0; k < nodes.length; k++) {
      int node = nodes[k];
      int expectedParent = k == 0 ? -1 : nodes[k - 1];
      if (node < 0 || node >= tree.size() || tree.parent(node) != expectedParent) {
        throw new IllegalArgumentException(
            label
                + ": nodes "
                + Arrays.toString(nodes)
                + " are not a root-to-node path of the last pass's tree (node at index "
                + k
                + " must be "
                + (k == 0 ? "the root 0" : "a child of node " + expectedParent)
                + ")");
      }
    }
    int base = cacheLength;
    for (int k = 0; k < nodes.length; k++) {
      if (nodes[k] != k) {
        // nodes[k] > k and increasing: the source row is never one already overwritten
        int dst = (base + k) * row;
        int src = (base + nodes[k]) * row;
        for (int i = 0; i < layers; i++) {
          keys[i].put(dst, keys[i], src, row);
          values[i].put(dst, values[i], src, row);
        }
        rowsCopied++;
      }
    }
    advance(nodes.length);
  }

  @Override
  public void commitPrefix(int count) {
    TokenTree tree = requirePending();
    if (count < 0 || count > tree.size()) {
      throw new IllegalArgumentException(
          label + ": count must be in [0, " + tree.size() + "], was " + count);
    }
    for (int i = 1; i < count; i++) {
      if (tree.parent(i) != i - 1) {
        throw new IllegalArgumentException(
            label
                + ": the first "
                + count
                + " nodes of the last pass are not a chain (parent of node "
                + i
                + " is "
                + tree.parent(i)
                + "); use commit(path)");
      }
    }
    advance(count);
  }

  private void advance(int count) {
    cacheLength += count;
    rowsCommitted += count;
    pending = null;
    generation++;
  }

  @Override
  public void truncate(int length) {
    requireOpen();
    if (length < 0 || length > cacheLength) {
      throw new IllegalArgumentException(
          label + ": truncate length must be in [0, " + cacheLength + "], was " + length);
    }
    cacheLength = length;
    pending = null;
    generation++;
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(passes, tokensRun, rowsCommitted, rowsCopied);
  }

  /** Native tensors this model has created and not yet closed; 0 between passes. For tests. */
  int liveTensors() {
    return passTensors.live();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending = null;
    generation++;
    onClose.accept(this);
    runControl.close();
    shared.release();
  }

  @Override
  public String toString() {
    return "OnnxCausalLm[" + info.name() + ", cacheLength=" + cacheLength + "]";
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(label + " is closed");
    }
  }

  private TokenTree requirePending() {
    requireOpen();
    if (pending == null) {
      throw new IllegalStateException(
          label + ": nothing to commit: no forward pass since the last commit or truncate");
    }
    return pending;
  }

  private void allocatePassBuffers(int rows) {
    maxT = rows;
    inputIds = PassTensors.directLongs(rows);
    positionIds = PassTensors.directLongs(rows);
    mask = PassTensors.directFloats((long) rows * info.maxPositions());
    logits = PassTensors.directFloats((long) rows * info.vocabSize());
    hidden = PassTensors.directFloats((long) rows * info.hiddenSize());
    if (layout.hiddenInput() != null) {
      hiddenIn = PassTensors.directFloats((long) rows * info.hiddenSize());
    }
  }
}
