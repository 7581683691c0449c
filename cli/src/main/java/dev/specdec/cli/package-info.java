/**
 * The {@code specdec} command line: picocli commands that parse options, call {@link
 * dev.specdec.eval.BundleDecoder} and print what it returns. No decoding logic lives here.
 */
package dev.specdec.cli;
