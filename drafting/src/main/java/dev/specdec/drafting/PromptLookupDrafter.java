package dev.specdec.drafting;

import dev.specdec.tree.TokenTree;
import java.util.Arrays;

/**
 * Model-free drafting from the context itself: finds the most recent earlier occurrences of the
 * context's last n tokens (n from {@code ngramMax} down to {@code ngramMin}) and proposes the
 * tokens that followed them.
 *
 * <p>An index of hash chains, one per n, is extended as tokens arrive, so a lookup inspects at most
 * {@code maxCandidates} occurrences per n and never rescans the context: its cost does not grow
 * with the context length ({@link #workCounter()} counts it). Several distinct continuations become
 * sibling branches of a trie, most recent first. Drafts are deterministic, so every acceptance rule
 * treats their q as a point mass and stays exact.
 */
public final class PromptLookupDrafter implements Drafter {
  private static final int NO_POSITION = -1;

  private final LookupConfig config;
  private int[] history = new int[1024]; // (positions) the indexed context
  private int length;
  // Per n (index n - ngramMin): head[n][bucket] = last end position of an n-gram with that hash;
  // previous[n][pos] = the earlier end position in the same bucket.
  private final int[][] heads;
  private final int[][] previous;
  private final int bucketMask;
  private long work;
  private int lastMatchLength;

  private PromptLookupDrafter(LookupConfig config) {
    this.config = config;
    int lengths = config.ngramMax() - config.ngramMin() + 1;
    int buckets = 1 << 16;
    this.bucketMask = buckets - 1;
    this.heads = new int[lengths][buckets];
    this.previous = new int[lengths][history.length];
    for (int[] h : heads) {
      Arrays.fill(h, NO_POSITION);
    }
  }

  /** A lookup drafter with {@code config}. */
  public static PromptLookupDrafter create(LookupConfig config) {
    return new PromptLookupDrafter(config);
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    index(context);
    lastMatchLength = 0;
    int budget = Math.min(maxDrafts, config.maxDrafts());
    if (budget <= 0 || length < 2) {
      return Proposal.rootOnly(context.last());
    }
    int[] starts = new int[config.branches()];
    int found = 0;
    for (int n = Math.min(config.ngramMax(), length - 1); n >= config.ngramMin(); n--) {
      found = findContinuations(n, starts);
      if (found > 0) {
        lastMatchLength = n;
        break;
      }
    }
    if (found == 0) {
      return Proposal.rootOnly(context.last());
    }
    TokenTree trie = buildTrie(context.last(), starts, found, budget);
    // A longer match is a better hint: 1 token -> 1/2, 2 -> 2/3, 3 -> 3/4; the adaptive budget
    // calibrates the score per depth against what the target accepts.
    float score = lastMatchLength / (lastMatchLength + 1f);
    return Proposal.deterministic(trie, node -> node == 0 ? 1f : score);
  }

  /**
   * Length of the n-gram that matched in the last {@link #propose} call, 0 when nothing matched.
   * Composite drafters use it to decide whether to trust the lookup.
   */
  public int lastMatchLength() {
    return lastMatchLength;
  }

  /** Tokens hashed or compared since creation: the work of indexing and lookups. */
  public long workCounter() {
    return work;
  }

  @Override
  public void accepted(int[] path) {
    // The index follows the context, which only grows; nothing to roll back.
  }

  @Override
  public void reset() {
    length = 0;
    for (int[] h : heads) {
      Arrays.fill(h, NO_POSITION);
    }
  }

  @Override
  public String name() {
    return "lookup";
  }

  /** Indexes the tokens of {@code context} not yet seen; a shorter context starts over. */
  private void index(TokenContext context) {
    if (context.length() < length) {
      reset();
    }
    for (int i = length; i < context.length(); i++) {
      append(context.token(i));
    }
  }

  private void append(int token) {
    if (length == history.length) {
      history = Arrays.copyOf(history, length * 2);
      for (int k = 0; k < previous.length; k++) {
        previous[k] = Arrays.copyOf(previous[k], length * 2);
      }
    }
    history[length] = token;
    int end = length;
    length++;
    for (int n = config.ngramMin(); n <= config.ngramMax(); n++) {
      int k = n - config.ngramMin();
      if (end - n + 1 < 0) {
        previous[k][end] = NO_POSITION;
        continue;
      }
      int bucket = bucket(end, n);
      previous[k][end] = heads[k][bucket];
      heads[k][bucket] = end;
    }
  }

  /**
   * Finds up to {@code starts.length} earlier occurrences of the last {@code n} tokens whose next
   * tokens differ, most recent first; writes the position that follows each into {@code starts}.
   */
  private int findContinuations(int n, int[] starts) {
    int k = n - config.ngramMin();
    int last = length - 1;
    int found = 0;
    int inspected = 0;
    for (int end = previous[k][last];
        end != NO_POSITION && found < starts.length && inspected < config.maxCandidates();
        end = previous[k][end]) {
      inspected++;
      if (!sameNgram(end, last, n)) {
        continue; // a hash collision
      }
      int next = end + 1; // < length, because end < last
      boolean duplicate = false;
      for (int s = 0; s < found; s++) {
        duplicate |= history[starts[s]] == history[next];
      }
      if (!duplicate) {
        starts[found++] = next;
      }
    }
    return found;
  }

  private boolean sameNgram(int endA, int endB, int n) {
    for (int i = 0; i < n; i++) {
      work++;
      if (history[endA - i] != history[endB - i]) {
        return false;
      }
    }
    return true;
  }

  /** Merges the continuations into a trie under the root, spending at most {@code budget} nodes. */
  private TokenTree buildTrie(int root, int[] starts, int count, int budget) {
    int[] tokens = new int[budget + 1];
    int[] parents = new int[budget + 1];
    tokens[0] = root;
    parents[0] = -1;
    int size = 1;
    int perBranch = Math.max(1, budget / count);
    for (int b = 0; b < count && size <= budget; b++) {
      int node = 0;
      int end = Math.min(length, starts[b] + (b == 0 ? budget - (count - 1) : perBranch));
      for (int pos = starts[b]; pos < end && size <= budget; pos++) {
        work++;
        int child = childWithToken(tokens, parents, size, node, history[pos]);
        if (child < 0) {
          tokens[size] = history[pos];
          parents[size] = node;
          child = size++;
        }
        node = child;
      }
    }
    return TokenTree.of(Arrays.copyOf(tokens, size), Arrays.copyOf(parents, size));
  }

  private static int childWithToken(int[] tokens, int[] parents, int size, int node, int token) {
    for (int i = node + 1; i < size; i++) {
      if (parents[i] == node && tokens[i] == token) {
        return i;
      }
    }
    return -1;
  }

  private int bucket(int end, int n) {
    long h = 0x9E3779B97F4A7C15L;
    for (int i = end - n + 1; i <= end; i++) {
      work++;
      h = (h ^ history[i]) * 0xBF58476D1CE4E5B9L;
    }
    h ^= h >>> 31;
    return (int) h & bucketMask;
  }
}
