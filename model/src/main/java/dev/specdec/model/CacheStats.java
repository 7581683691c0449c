package dev.specdec.model;

/**
 * Work a {@link CausalLm} has done since load.
 *
 * @param passes forward passes run
 * @param tokensRun tree nodes run over all passes (the sum of T)
 * @param rowsCommitted cache rows committed
 * @param rowsCopied cache rows moved by commits of non-contiguous paths (one row = all layers' keys
 *     and values of one position); a chain prefix commits in place and copies none
 */
public record CacheStats(long passes, long tokensRun, long rowsCommitted, long rowsCopied) {}
