package dev.specdec.model.testing;

import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A plain-Java causal LM whose logits are a deterministic function of the whole prefix: a hash of
 * every token before and at the node seeds the logits row. Any slip in cache bookkeeping (a wrong
 * commit, a stale row, a missed truncate) changes the prefix and so the output.
 *
 * <p>The "cache" is the list of committed tokens and their prefix hashes. A draft variant shares
 * the target's logits on most prefixes and gets independent noise on a fraction of them, so it
 * agrees with the target only part of the time.
 */
public final class FakeLm implements CausalLm {
  /** Hash of the empty prefix: the same for every fake, so a draft can share a target's rows. */
  private static final long EMPTY_PREFIX = 0x9E3779B97F4A7C15L;

  private final ModelInfo info;
  private final long salt;
  private final double scale;
  private final FakeLm agreeWith; // null: a target; otherwise the model a draft imitates
  private final double disagreement;
  private final int[] tokens; // (capacity) committed tokens
  private final long[] hashes; // (capacity + 1) hashes[i]: hash of tokens[0..i)
  private int length;
  private TokenTree pending;
  private long[] pendingHashes; // (T) hash of the prefix through each node
  private float[][] pendingLogits; // (T, V)
  private long passes;
  private long tokensRun;
  private long rowsCommitted;
  private final Set<Long> runPrefixes = new HashSet<>();
  private int repeatedRuns;
  private boolean closed;

  private FakeLm(int vocab, int capacity, long salt, double scale, FakeLm agreeWith, double p) {
    this.info = new ModelInfo("fake-" + salt, 1, 1, 1, 1, 1, 1, vocab, capacity, 0, vocab - 1);
    this.salt = salt;
    this.scale = scale;
    this.agreeWith = agreeWith;
    this.disagreement = p;
    this.tokens = new int[capacity];
    this.hashes = new long[capacity + 1];
    this.hashes[0] = EMPTY_PREFIX;
  }

  /** A target over {@code vocab} tokens; logits are N(0, scale²) per (prefix, token). */
  public static FakeLm target(int vocab, int capacity, long salt, double scale) {
    return new FakeLm(vocab, capacity, salt, scale, null, 0);
  }

  /**
   * A draft that returns {@code target}'s logits on a fraction {@code 1 - disagreement} of prefixes
   * and its own elsewhere.
   */
  public static FakeLm draftOf(FakeLm target, int capacity, long salt, double disagreement) {
    return new FakeLm(target.info.vocabSize(), capacity, salt, target.scale, target, disagreement);
  }

  /** The logits row after the token sequence whose hash is {@code prefixHash}. */
  public float[] logitsFor(long prefixHash) {
    SplittableRandom r = new SplittableRandom(prefixHash ^ salt);
    if (agreeWith != null && r.nextDouble() >= disagreement) {
      return agreeWith.logitsFor(prefixHash);
    }
    float[] row = new float[info.vocabSize()];
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) (r.nextGaussian() * scale);
    }
    return row;
  }

  /** The logits after exactly {@code sequence}, computed without touching the cache. */
  public float[] logitsAfter(int[] sequence) {
    long h = hashes[0];
    for (int t : sequence) {
      h = extend(h, t);
    }
    return logitsFor(h);
  }

  /**
   * The one-float "hidden state" after the prefix whose hash is {@code prefixHash}: a function of
   * the whole prefix, so a drafter fed the hidden state of the wrong position sees another value.
   */
  public static float hiddenFor(long prefixHash) {
    return (float) ((prefixHash >>> 40) / (double) (1L << 24)) - 0.5f;
  }

  /** The hidden state after exactly {@code sequence}, computed without touching the cache. */
  public float hiddenAfter(int[] sequence) {
    long h = hashes[0];
    for (int t : sequence) {
      h = extend(h, t);
    }
    return hiddenFor(h);
  }

  public static long extend(long hash, int token) {
    long z = hash * 31 + token + 1;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public ModelInfo info() {
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
  public ForwardOutput forward(TokenTree tree) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    int t = tree.size();
    if (length + t > capacity()) {
      throw new IllegalArgumentException(
          "tree of " + t + " nodes on " + length + " cached positions exceeds " + capacity());
    }
    pendingHashes = new long[t];
    pendingLogits = new float[t][];
    for (int i = 0; i < t; i++) {
      int token = tree.token(i);
      if (token < 0 || token >= info.vocabSize()) {
        throw new IllegalArgumentException("token " + token + " outside the vocabulary");
      }
      int p = tree.parent(i);
      long parentHash = p < 0 ? hashes[length] : pendingHashes[p];
      pendingHashes[i] = extend(parentHash, token);
      pendingLogits[i] = logitsFor(pendingHashes[i]);
      if (!runPrefixes.add(pendingHashes[i])) {
        repeatedRuns++;
      }
    }
    pending = tree;
    passes++;
    tokensRun += t;
    float[] hidden = new float[t];
    for (int i = 0; i < t; i++) {
      hidden[i] = hiddenFor(pendingHashes[i]);
    }
    return FakeOutputs.output(pendingLogits, hidden);
  }

  @Override
  public void commit(int[] nodes) {
    FakeOutputs.requirePath(pending, nodes);
    for (int node : nodes) {
      tokens[length] = pending.token(node);
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
    if (newLength == 0) {
      runPrefixes.clear();
    }
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(passes, tokensRun, rowsCommitted, 0);
  }

  /** Nodes run whose whole prefix had been run before in this sequence (since truncate(0)). */
  public int repeatedRuns() {
    return repeatedRuns;
  }

  /** The committed tokens. */
  public int[] cachedTokens() {
    return Arrays.copyOf(tokens, length);
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
