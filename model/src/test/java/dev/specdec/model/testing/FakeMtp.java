package dev.specdec.model.testing;

import dev.specdec.model.CacheStats;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MtpInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A plain-Java MTP module with a one-float hidden state: the logits and the output hidden state of
 * a node are a deterministic function of every (hidden, token) pair in its slot's prefix (committed
 * slots, then its ancestors, then itself). It records the committed pairs, so tests can check the
 * cache against the pairs the accepted sequence calls for.
 *
 * <p>To draft something a target accepts, it imitates a {@link FakeLm} on a fraction of prefixes: a
 * node's pair tokens are x_1..x_{j+1}, so with {@code bos} in front they are the target's context
 * for x_{j+2}, and the node returns the target's logits after it.
 */
public final class FakeMtp implements MtpModule {
  private static final long EMPTY = 0x2545F4914F6CDD1DL;

  private final MtpInfo info;
  private final long salt;
  private final double scale;
  private final FakeLm imitated; // null: never imitates
  private final int bos;
  private final double disagreement;
  private final int[] tokens; // (capacity) committed pair tokens
  private final float[] hidden; // (capacity) committed pair hidden states
  private final long[] hashes; // (capacity + 1) hashes[j]: hash of the pairs of slots 0..j-1
  private int length;
  private TokenTree pending;
  private float[] pendingHidden;
  private long[] pendingHashes;
  private long passes;
  private long tokensRun;
  private long rowsCommitted;
  private boolean closed;

  public FakeMtp(int vocab, int capacity, long salt, double scale) {
    this(vocab, capacity, salt, scale, null, 0, 1.0);
  }

  /**
   * An MTP that returns {@code target}'s logits on a fraction {@code 1 - disagreement} of nodes.
   */
  public FakeMtp(FakeLm target, int capacity, long salt, int bos, double disagreement) {
    this(target.info().vocabSize(), capacity, salt, 1.0, target, bos, disagreement);
  }

  private FakeMtp(
      int vocab,
      int capacity,
      long salt,
      double scale,
      FakeLm imitated,
      int bos,
      double disagreement) {
    this.imitated = imitated;
    this.bos = bos;
    this.disagreement = disagreement;
    this.info = new MtpInfo("fake-mtp", "fake", 1, 1, 1, 1, vocab, capacity + 1);
    this.salt = salt;
    this.scale = scale;
    this.tokens = new int[capacity];
    this.hidden = new float[capacity];
    this.hashes = new long[capacity + 1];
    this.hashes[0] = EMPTY;
  }

  private static long extend(long hash, float h, int token) {
    return FakeLm.extend(FakeLm.extend(hash, Float.floatToIntBits(h) & 0x7fffffff), token);
  }

  @Override
  public MtpInfo info() {
    return info;
  }

  @Override
  public int cacheLength() {
    return length;
  }

  @Override
  public int capacity() {
    return tokens.length;
  }

  @Override
  public ForwardOutput forward(TokenTree tree, float[] hiddenStates) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    int t = tree.size();
    if (length + t > capacity()) {
      throw new IllegalArgumentException(
          "tree of " + t + " nodes on " + length + " cached slots exceeds " + capacity());
    }
    pendingHashes = new long[t];
    pendingHidden = Arrays.copyOf(hiddenStates, t);
    float[][] logits = new float[t][];
    float[] out = new float[t];
    for (int i = 0; i < t; i++) {
      int p = tree.parent(i);
      long parentHash = p < 0 ? hashes[length] : pendingHashes[p];
      pendingHashes[i] = extend(parentHash, hiddenStates[i], tree.token(i));
      SplittableRandom r = new SplittableRandom(pendingHashes[i] ^ salt);
      out[i] = (float) r.nextDouble();
      if (imitated != null && r.nextDouble() >= disagreement) {
        int[] path = tree.tokensTo(i);
        int[] sequence = new int[1 + length + path.length];
        sequence[0] = bos;
        System.arraycopy(tokens, 0, sequence, 1, length);
        System.arraycopy(path, 0, sequence, 1 + length, path.length);
        logits[i] = imitated.logitsAfter(sequence);
        continue;
      }
      logits[i] = new float[info.vocabSize()];
      for (int v = 0; v < logits[i].length; v++) {
        logits[i][v] = (float) (r.nextGaussian() * scale);
      }
    }
    pending = tree;
    passes++;
    tokensRun += t;
    return FakeOutputs.output(logits, out);
  }

  @Override
  public void commit(int[] nodes) {
    FakeOutputs.requirePath(pending, nodes);
    for (int node : nodes) {
      tokens[length] = pending.token(node);
      hidden[length] = pendingHidden[node];
      hashes[length + 1] = pendingHashes[node];
      length++;
    }
    rowsCommitted += nodes.length;
    pending = null;
  }

  @Override
  public void commitPrefix(int count) {
    commit(FakeOutputs.chainPrefix(pending, count));
  }

  @Override
  public void truncate(int newLength) {
    if (newLength < 0 || newLength > length) {
      throw new IllegalArgumentException("truncate(" + newLength + ") with " + length + " cached");
    }
    length = newLength;
    pending = null;
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(passes, tokensRun, rowsCommitted, 0);
  }

  /** The committed pairs' tokens. */
  public int[] cachedTokens() {
    return Arrays.copyOf(tokens, length);
  }

  /** The committed pairs' hidden states. */
  public float[] cachedHidden() {
    return Arrays.copyOf(hidden, length);
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
