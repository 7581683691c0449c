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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link CausalLm} over an ONNX Runtime session in Hugging Face Optimum's decoder layout ({@link
 * OptimumLayout}): 2-D padding mask, head-major cache, {@code present} = past + new.
 *
 * <p>Such a model cannot take a tree mask, so {@link #forward} runs chains only ({@link
 * #supportsTreeMasks()} is false). The cache is the model's own layout, {@code [Hkv, P, D]} per
 * layer for keys and for values, contiguous for the current length P: the head-major past must be
 * one dense tensor, so unlike the specdec contract's sequence-major cache a prefix of it is not a
 * view. Each layer has two such buffers: a pass reads the past from the current one and ONNX
 * Runtime writes {@code present} (past copied by the model's Concat, then the new rows) straight
 * into the other, pinned; committing all T new tokens just swaps the two. Committing fewer (a
 * rejected draft) or truncating must repack every head to the shorter stride: {@code Hkv * (P + n)}
 * rows of D floats per layer for keys and for values, counted in {@link CacheStats#rowsCopied()} as
 * P + n positions. Inside the model, the Concat copies the whole past on every pass: that is the
 * layout's price, O(P) per pass, whatever specdec does.
 */
final class OptimumCausalLm implements CausalLm {
  private static final int INITIAL_MAX_T = 16;

  private static final String NO_HIDDEN_STATES =
      " has no hidden_states output (Optimum exports give logits and the cache only);"
          + " Medusa/MTP heads need a specdec-contract model: import it with tools/";

  private final SharedSession shared; // released, not closed: other instances may run it
  private final OrtSession session;
  private final ModelInfo info;
  private final String label;
  private final Consumer<CausalLm> onClose;
  private final int layers;
  private final int kvHeads;
  private final int headSize;
  private final boolean useCacheBranch;

  private FloatBuffer[] keys; // per layer (Hkv, cacheLength, D), current
  private FloatBuffer[] values;
  private FloatBuffer[] spareKeys; // per layer, receives present (Hkv, P + T, D)
  private FloatBuffer[] spareValues;
  private final LongBuffer ones; // (maxPositions) all 1: the attention mask
  private int maxT;
  private LongBuffer inputIds; // (maxT)
  private LongBuffer positionIds; // (maxT)
  private FloatBuffer logits; // (maxT, V)

  private final Map<String, OnnxTensor> inputs = new HashMap<>();
  private final Map<String, OnnxTensor> outputs = new HashMap<>();
  private final PassTensors passTensors;
  private final RunControl runControl;

  private int cacheLength;
  private int pendingRows; // T of the last forward while uncommitted, else -1
  private int generation;
  private long passes;
  private long tokensRun;
  private long rowsCommitted;
  private long rowsCopied;
  private boolean closed;

  /** Holds one reference to {@code session}, taken by the caller, and releases it on close. */
  OptimumCausalLm(
      OrtEnvironment env,
      SharedSession session,
      OptimumLayout.Validated model,
      Cancellation cancellation,
      Consumer<CausalLm> onClose)
      throws OrtException {
    this.shared = session;
    this.session = session.session();
    this.info = model.info();
    this.label = "model '" + info.name() + "' (Optimum layout)";
    this.onClose = onClose;
    this.passTensors = new PassTensors(env, label);
    this.layers = info.numLayers();
    this.kvHeads = info.numKvHeads();
    this.headSize = info.headSize();
    this.useCacheBranch = model.useCacheBranch();
    long cacheFloats = (long) info.maxPositions() * info.kvRowSize();
    keys = new FloatBuffer[layers];
    values = new FloatBuffer[layers];
    spareKeys = new FloatBuffer[layers];
    spareValues = new FloatBuffer[layers];
    for (int i = 0; i < layers; i++) {
      keys[i] = PassTensors.directFloats(cacheFloats);
      values[i] = PassTensors.directFloats(cacheFloats);
      spareKeys[i] = PassTensors.directFloats(cacheFloats);
      spareValues[i] = PassTensors.directFloats(cacheFloats);
    }
    ones = PassTensors.directLongs(info.maxPositions());
    for (int i = 0; i < info.maxPositions(); i++) {
      ones.put(i, 1L);
    }
    pendingRows = -1;
    allocatePassBuffers(Math.min(INITIAL_MAX_T, info.maxPositions()));
    // Last: nothing after it can fail and leave the run options registered but unowned.
    this.runControl = RunControl.open(cancellation, label);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public boolean supportsTreeMasks() {
    return false;
  }

  @Override
  public int cacheLength() {
    return cacheLength;
  }

  @Override
  public int capacity() {
    return info.maxPositions();
  }

  @Override
  public ForwardOutput forward(TokenTree tree) {
    requireOpen();
    int t = tree.size();
    int p = cacheLength;
    if (!tree.isChain()) {
      throw new IllegalArgumentException(
          label
              + " takes a 2-D attention mask, which expresses causal chains only, not a tree of "
              + t
              + " nodes with branches; verify one path (SpeculativeDecoder reduces trees to their"
              + " first path for such models) or use a specdec-contract model");
    }
    PassChecks.requireRoom(label, p, t, capacity());
    PassChecks.requireTokensInVocabulary(label, tree, info.vocabSize());
    if (t > maxT) {
      allocatePassBuffers(Math.max(t, Math.min(capacity(), 2 * maxT)));
    }
    OrtSession.RunOptions runOptions = runControl.begin(passes + 1);
    pendingRows = -1;
    generation++;
    passes++;
    for (int i = 0; i < t; i++) {
      inputIds.put(i, tree.token(i));
      positionIds.put(i, p + i);
    }
    long[] tokensShape = {1, t};
    long[] pastShape = {1, kvHeads, p, headSize};
    long[] presentShape = {1, kvHeads, p + t, headSize};
    int pastFloats = kvHeads * p * headSize;
    int presentFloats = kvHeads * (p + t) * headSize;
    try (PassTensors tensors = passTensors.begin()) {
      inputs.put("input_ids", tensors.longs(inputIds.slice(0, t), tokensShape));
      inputs.put("position_ids", tensors.longs(positionIds.slice(0, t), tokensShape));
      inputs.put("attention_mask", tensors.longs(ones.slice(0, p + t), new long[] {1, p + t}));
      if (useCacheBranch) {
        inputs.put(OptimumLayout.USE_CACHE_BRANCH, tensors.bool(true));
      }
      for (int i = 0; i < layers; i++) {
        inputs.put(
            OptimumLayout.pastKey(i), tensors.floats(keys[i].slice(0, pastFloats), pastShape));
        inputs.put(
            OptimumLayout.pastValue(i), tensors.floats(values[i].slice(0, pastFloats), pastShape));
        outputs.put(
            OptimumLayout.presentKey(i),
            tensors.floats(spareKeys[i].slice(0, presentFloats), presentShape));
        outputs.put(
            OptimumLayout.presentValue(i),
            tensors.floats(spareValues[i].slice(0, presentFloats), presentShape));
      }
      outputs.put(
          "logits",
          tensors.floats(
              logits.slice(0, t * info.vocabSize()), new long[] {1, t, info.vocabSize()}));
      // Every output is pinned: the Result owns nothing, but it is closed all the same.
      try (OrtSession.Result result = session.run(inputs, Set.of(), outputs, runOptions)) {
        assert result.size() == outputs.size();
      }
    } catch (OrtException e) {
      throw runControl.failure(
          passes, e, () -> PassChecks.runFailed(label, passes, t, p, info.maxPositions(), e));
    } finally {
      runControl.end();
      inputs.clear();
      outputs.clear();
    }
    tokensRun += t;
    PassChecks.requireFiniteLogits(label, passes, t, p, logits, info.vocabSize());
    pendingRows = t;
    return new PassOutput(label, info, () -> generation, t, logits, null, NO_HIDDEN_STATES);
  }

  @Override
  public void commit(int[] nodes) {
    int t = requirePending();
    for (int k = 0; k < nodes.length; k++) {
      if (nodes[k] != k || k >= t) {
        throw new IllegalArgumentException(
            label
                + ": nodes "
                + Arrays.toString(nodes)
                + " are not a root-to-node path of the last pass's chain of "
                + t
                + " (node at index "
                + k
                + " must be "
                + k
                + ")");
      }
    }
    commitPrefix(nodes.length);
  }

  @Override
  public void commitPrefix(int count) {
    int t = requirePending();
    if (count < 0 || count > t) {
      throw new IllegalArgumentException(label + ": count must be in [0, " + t + "], was " + count);
    }
    int p = cacheLength;
    if (count == t) {
      // present holds exactly past + all new rows: it becomes the cache as it is
      swap();
    } else {
      // keep P + count rows of each head: repack from stride P + T into the current buffers
      repack(spareKeys, spareValues, p + t, keys, values, p + count);
    }
    cacheLength = p + count;
    rowsCommitted += count;
    pendingRows = -1;
    generation++;
  }

  @Override
  public void truncate(int length) {
    requireOpen();
    if (length < 0 || length > cacheLength) {
      throw new IllegalArgumentException(
          label + ": truncate length must be in [0, " + cacheLength + "], was " + length);
    }
    if (length < cacheLength && length > 0) {
      repack(keys, values, cacheLength, spareKeys, spareValues, length);
      swap();
    }
    cacheLength = length;
    pendingRows = -1;
    generation++;
  }

  /** Copies the first {@code keep} positions of every head from stride {@code from} to stride. */
  private void repack(
      FloatBuffer[] srcKeys,
      FloatBuffer[] srcValues,
      int fromStride,
      FloatBuffer[] dstKeys,
      FloatBuffer[] dstValues,
      int keep) {
    int n = keep * headSize;
    for (int i = 0; i < layers; i++) {
      for (int h = 0; h < kvHeads; h++) {
        int src = h * fromStride * headSize;
        int dst = h * keep * headSize;
        dstKeys[i].put(dst, srcKeys[i], src, n);
        dstValues[i].put(dst, srcValues[i], src, n);
      }
    }
    rowsCopied += keep;
  }

  private void swap() {
    FloatBuffer[] k = keys;
    keys = spareKeys;
    spareKeys = k;
    FloatBuffer[] v = values;
    values = spareValues;
    spareValues = v;
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(passes, tokensRun, rowsCommitted, rowsCopied);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pendingRows = -1;
    generation++;
    onClose.accept(this);
    runControl.close();
    shared.release();
  }

  @Override
  public String toString() {
    return "OptimumCausalLm[" + info.name() + ", cacheLength=" + cacheLength + "]";
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(label + " is closed");
    }
  }

  private int requirePending() {
    requireOpen();
    if (pendingRows < 0) {
      throw new IllegalStateException(
          label + ": nothing to commit: no forward pass since the last commit or truncate");
    }
    return pendingRows;
  }

  private void allocatePassBuffers(int rows) {
    maxT = rows;
    inputIds = PassTensors.directLongs(rows);
    positionIds = PassTensors.directLongs(rows);
    logits = PassTensors.directFloats((long) rows * info.vocabSize());
  }
}
