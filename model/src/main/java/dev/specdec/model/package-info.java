/**
 * What specdec needs of a model, as plain-Java interfaces: a {@link dev.specdec.model.CausalLm}
 * with a KV cache that runs token trees and commits any root-to-node path, its {@link
 * dev.specdec.model.ForwardOutput}, the {@link dev.specdec.model.ModelInfo} it declared, Medusa
 * heads and MTP modules on a target's hidden states, and a {@link dev.specdec.model.TextTokenizer}.
 *
 * <p>No ONNX Runtime here, and none on this module's class path: drafters and verifiers are written
 * (and tested, on fakes) against these interfaces only. The runtime module implements them over
 * ONNX Runtime.
 */
package dev.specdec.model;
