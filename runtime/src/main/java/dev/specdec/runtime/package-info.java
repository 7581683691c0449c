/**
 * Causal language models over ONNX Runtime, with the KV cache that speculative decoding needs.
 *
 * <p>This is the only package of specdec that imports ONNX Runtime. Other modules speak to models
 * through {@link dev.specdec.model.CausalLm}, so their tests run on plain-Java fakes. An {@link
 * dev.specdec.runtime.Engine} owns the one ONNX Runtime environment and its global thread pool;
 * every model it loads is a {@link dev.specdec.model.CausalLm} that owns its cache (and, loaded
 * alone, its session), or an {@link dev.specdec.model.MtpModule}: a multi-token-prediction head on
 * a target's hidden states, with its own cache run by the same machinery. {@link
 * dev.specdec.runtime.ModelWeights} loads a model once for many instances, one per concurrent
 * generation, that share its session.
 */
package dev.specdec.runtime;
