/**
 * JMH benchmarks of specdec's hot paths, one question per class: the tree-attention mask ({@link
 * dev.specdec.bench.TreeMaskBenchmark}), the acceptance rules ({@link
 * dev.specdec.bench.AcceptanceBenchmark}) and KV-cache commits on a real ONNX model ({@link
 * dev.specdec.bench.KvCommitBenchmark}). Build with {@code ./build package}, run with {@code java
 * -jar bench/target/benchmarks.jar} from the repository root (see {@code bench/README.md}).
 */
package dev.specdec.bench;
