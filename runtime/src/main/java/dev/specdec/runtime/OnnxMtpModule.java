package dev.specdec.runtime;

import dev.specdec.model.CacheStats;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MtpInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.tree.TokenTree;

/**
 * An {@link MtpModule} over ONNX Runtime: the cache, pinned outputs and pass buffers of {@link
 * OnnxCausalLm} in its {@link OnnxCausalLm.Layout#MTP} layout, which adds the hidden-state input
 * and shifts positions by one.
 */
final class OnnxMtpModule implements MtpModule {
  private final OnnxCausalLm core;
  private final MtpInfo info;

  OnnxMtpModule(OnnxCausalLm core, MtpInfo info) {
    this.core = core;
    this.info = info;
  }

  @Override
  public MtpInfo info() {
    return info;
  }

  @Override
  public int cacheLength() {
    return core.cacheLength();
  }

  @Override
  public int capacity() {
    return core.capacity();
  }

  @Override
  public ForwardOutput forward(TokenTree tree, float[] hiddenStates) {
    return core.forward(tree, hiddenStates);
  }

  @Override
  public void commit(int[] nodes) {
    core.commit(nodes);
  }

  @Override
  public void commitPrefix(int count) {
    core.commitPrefix(count);
  }

  @Override
  public void truncate(int length) {
    core.truncate(length);
  }

  @Override
  public CacheStats stats() {
    return core.stats();
  }

  /** Native tensors alive between passes (0). For tests. */
  int liveTensors() {
    return core.liveTensors();
  }

  @Override
  public void close() {
    core.close();
  }

  @Override
  public String toString() {
    return "OnnxMtpModule[" + info.name() + ", cacheLength=" + core.cacheLength() + "]";
  }
}
