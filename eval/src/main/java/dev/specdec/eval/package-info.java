/**
 * Running a model bundle end to end, comparing speculative decoding with plain decoding, and
 * reporting the outcome.
 *
 * <p>{@link dev.specdec.eval.BundleDecoder} loads a bundle's tokenizer, target and draft and
 * decodes text prompts with the settings of {@link dev.specdec.eval.DecodeOptions}. A {@link
 * dev.specdec.eval.Comparison} runs the same prompt with the speculative decoder and with the plain
 * target, and a {@link dev.specdec.eval.DecodeReport} renders the result as JSON or as text. The
 * command line is a thin layer over these classes.
 */
package dev.specdec.eval;
