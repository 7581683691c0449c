package dev.specdec;

import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.tree.TokenTree;

/**
 * Pooled instances handed to code that closes what it is given (drafters own their models): each
 * lease delegates to an instance taken from an {@link InstancePool}, and its {@code close()} gives
 * the instance back instead of closing it. A closed lease refuses every call, so a lease can never
 * touch an instance another generation took since.
 */
final class Leases {
  private Leases() {}

  /** A lease of a pooled causal LM. */
  static CausalLm causalLm(InstancePool<CausalLm> pool) {
    return new LeasedCausalLm(pool);
  }

  /** A lease of a pooled MTP module. */
  static MtpModule mtp(InstancePool<MtpModule> pool) {
    return new LeasedMtp(pool);
  }

  /** A lease of pooled Medusa heads. */
  static MedusaHeads medusa(InstancePool<MedusaHeads> pool) {
    return new LeasedMedusa(pool);
  }

  /**
   * The lifecycle every lease shares: the instance taken from the pool, refused once given back.
   */
  private abstract static class Lease<T extends AutoCloseable> implements AutoCloseable {
    private final InstancePool<T> pool;
    private final String what;
    private T taken; // null once given back

    Lease(InstancePool<T> pool, String what) {
      this.pool = pool;
      this.what = what;
      this.taken = pool.take();
    }

    final T instance() {
      if (taken == null) {
        throw new IllegalStateException(
            "this " + what + " lease was closed: its instance is back in the pool");
      }
      return taken;
    }

    @Override
    public final void close() {
      if (taken != null) {
        T instance = taken;
        taken = null;
        pool.give(instance);
      }
    }
  }

  private static final class LeasedCausalLm extends Lease<CausalLm> implements CausalLm {
    LeasedCausalLm(InstancePool<CausalLm> pool) {
      super(pool, "model");
    }

    @Override
    public ModelInfo info() {
      return instance().info();
    }

    @Override
    public boolean supportsTreeMasks() {
      return instance().supportsTreeMasks();
    }

    @Override
    public int cacheLength() {
      return instance().cacheLength();
    }

    @Override
    public int capacity() {
      return instance().capacity();
    }

    @Override
    public ForwardOutput forward(TokenTree tree) {
      return instance().forward(tree);
    }

    @Override
    public void commit(int[] nodes) {
      instance().commit(nodes);
    }

    @Override
    public void commitPrefix(int count) {
      instance().commitPrefix(count);
    }

    @Override
    public void truncate(int length) {
      instance().truncate(length);
    }

    @Override
    public CacheStats stats() {
      return instance().stats();
    }
  }

  private static final class LeasedMtp extends Lease<MtpModule> implements MtpModule {
    LeasedMtp(InstancePool<MtpModule> pool) {
      super(pool, "MTP");
    }

    @Override
    public MtpInfo info() {
      return instance().info();
    }

    @Override
    public int cacheLength() {
      return instance().cacheLength();
    }

    @Override
    public int capacity() {
      return instance().capacity();
    }

    @Override
    public ForwardOutput forward(TokenTree tree, float[] hiddenStates) {
      return instance().forward(tree, hiddenStates);
    }

    @Override
    public void commit(int[] nodes) {
      instance().commit(nodes);
    }

    @Override
    public void commitPrefix(int count) {
      instance().commitPrefix(count);
    }

    @Override
    public void truncate(int length) {
      instance().truncate(length);
    }

    @Override
    public CacheStats stats() {
      return instance().stats();
    }
  }

  private static final class LeasedMedusa extends Lease<MedusaHeads> implements MedusaHeads {
    LeasedMedusa(InstancePool<MedusaHeads> pool) {
      super(pool, "Medusa");
    }

    @Override
    public String name() {
      return instance().name();
    }

    @Override
    public String targetName() {
      return instance().targetName();
    }

    @Override
    public int heads() {
      return instance().heads();
    }

    @Override
    public int hiddenSize() {
      return instance().hiddenSize();
    }

    @Override
    public int vocabSize() {
      return instance().vocabSize();
    }

    @Override
    public void run(float[] hiddenState, float[] logits) {
      instance().run(hiddenState, logits);
    }
  }
}
