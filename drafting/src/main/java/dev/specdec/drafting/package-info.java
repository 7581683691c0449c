/**
 * Drafters: cheap proposers of token trees for the target to verify.
 *
 * <p>A {@link dev.specdec.drafting.Drafter} proposes a {@link dev.specdec.drafting.Proposal} for
 * the current context and records, for each proposed token, the distribution it was drawn from, so
 * that rejection sampling can stay exact. After verification the decode loop tells the drafter
 * which path was accepted, and the drafter brings its own state (a draft model's KV cache) in line.
 */
package dev.specdec.drafting;
