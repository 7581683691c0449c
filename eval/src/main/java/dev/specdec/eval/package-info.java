/**
 * Running a model bundle end to end, comparing speculative decoding with plain decoding, and
 * reporting the outcome.
 *
 * <p>{@link dev.specdec.eval.BundleDecoder} loads a bundle's tokenizer, target and draft and
 * decodes text prompts with the settings of {@link dev.specdec.eval.DecodeOptions}. A {@link
 * dev.specdec.eval.Comparison} runs the same prompt with the speculative decoder and with the plain
 * target, and a {@link dev.specdec.eval.DecodeReport} renders the result as JSON or as text. The
 * command line is a thin layer over these classes.
 *
 * <p>{@link dev.specdec.eval.AcceptanceEval} is the acceptance-rate harness: it runs a prompt set
 * through {@link dev.specdec.eval.BenchConfig}s, keeps every step of every speculative run next to
 * a plain run, and summarizes them as {@link dev.specdec.eval.EvalMetrics} per configuration and
 * category; {@link dev.specdec.eval.report} writes the report files. {@link
 * dev.specdec.eval.DegenerateLoop} tells which outputs ended in a repetition loop, so that their
 * easy acceptance can be left out.
 *
 * <p>{@link dev.specdec.eval.Perplexity} scores texts with a bundle's target or draft (sliding
 * windows through the same {@code CausalLm}) into a {@link dev.specdec.eval.PerplexityResult}.
 */
package dev.specdec.eval;
