package dev.specdec;

import dev.specdec.runtime.CacheStats;
import dev.specdec.runtime.CausalLm;
import dev.specdec.runtime.ForwardOutput;
import dev.specdec.runtime.MedusaHeads;
import dev.specdec.runtime.ModelInfo;
import dev.specdec.runtime.MtpInfo;
import dev.specdec.runtime.MtpModule;
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
    return new LeasedCausalLm(pool, pool.take());
  }

  /** A lease of a pooled MTP module. */
  static MtpModule mtp(InstancePool<MtpModule> pool) {
    return new LeasedMtp(pool, pool.take());
  }

  /** A lease of pooled Medusa heads. */
  static MedusaHeads medusa(InstancePool<MedusaHeads> pool) {
    return new LeasedMedusa(pool, pool.take());
  }

  private static final class LeasedCausalLm implements CausalLm {
    private final InstancePool<CausalLm> pool;
    private CausalLm lm; // null once given back

    LeasedCausalLm(InstancePool<CausalLm> pool, CausalLm lm) {
      this.pool = pool;
      this.lm = lm;
    }

    private CausalLm instance() {
      if (lm == null) {
        throw new IllegalStateException(
            "this model lease was closed: its instance is back in the pool");
      }
      return lm;
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

    @Override
    public void close() {
      if (lm != null) {
        CausalLm instance = lm;
        lm = null;
        pool.give(instance);
      }
    }
  }

  private static final class LeasedMtp implements MtpModule {
    private final InstancePool<MtpModule> pool;
    private MtpModule module; // null once given back

    LeasedMtp(InstancePool<MtpModule> pool, MtpModule module) {
      this.pool = pool;
      this.module = module;
    }

    private MtpModule instance() {
      if (module == null) {
        throw new IllegalStateException(
            "this MTP lease was closed: its instance is back in the pool");
      }
      return module;
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

    @Override
    public void close() {
      if (module != null) {
        MtpModule instance = module;
        module = null;
        pool.give(instance);
      }
    }
  }

  private static final class LeasedMedusa implements MedusaHeads {
    private final InstancePool<MedusaHeads> pool;
    private MedusaHeads heads; // null once given back

    LeasedMedusa(InstancePool<MedusaHeads> pool, MedusaHeads heads) {
      this.pool = pool;
      this.heads = heads;
    }

    private MedusaHeads instance() {
      if (heads == null) {
        throw new IllegalStateException(
            "this Medusa lease was closed: its instance is back in the pool");
      }
      return heads;
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

    @Override
    public void close() {
      if (heads != null) {
        MedusaHeads instance = heads;
        heads = null;
        pool.give(instance);
      }
    }
  }
}
