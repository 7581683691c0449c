/**
 * JMH benchmarks of specdec's hot paths, one question per class: the tree-attention mask ({@link
 * dev.specdec.bench.TreeMaskBenchmark}), the acceptance rules ({@link
 * dev.specdec.bench.AcceptanceBenchmark}) KV-cache commits on a real ONNX model ({@link
 * dev.specdec.bench.KvCommitBenchmark}) and what {@code CausalLm.forward} adds to a bare ONNX
 * Runtime run ({@link dev.specdec.bench.ForwardOverheadBenchmark}, the one benchmark that uses ONNX
 * Runtime directly). Build with {@code ./build package}, run with {@code java -jar
 * bench/target/benchmarks.jar} from the repository root (see {@code bench/README.md}).
 */
package dev.specdec.bench;
