/**
 * The embeddable Java API of specdec: {@link dev.specdec.SpecDecoder} opens a model bundle once and
 * generates text from any number of threads, each call configured by immutable {@link
 * dev.specdec.GenerateOptions} with a {@link dev.specdec.DrafterSpec}, and returns a {@link
 * dev.specdec.Generation}.
 *
 * <p>This package sits on {@code runtime}, {@code drafting} and {@code verification} only: no
 * report writers, no command line, no ONNX Runtime types in its API.
 */
package dev.specdec;
