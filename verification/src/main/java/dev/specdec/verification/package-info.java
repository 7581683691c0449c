/**
 * Verification and the speculative decoding loop.
 *
 * <p>{@link dev.specdec.verification.SpeculativeDecoder} runs the step of {@code
 * docs/architecture.md}: the drafter proposes a tree, the target runs it in one pass, an {@link
 * dev.specdec.verification.AcceptanceRule} walks it against the target's {@link
 * dev.specdec.verification.TargetDistributions} and returns a {@link
 * dev.specdec.verification.Verdict}, and both caches keep the accepted path. Greedy verification
 * reproduces plain greedy decoding token for token; rejection sampling reproduces the target's
 * (warped) sampling distribution exactly.
 */
package dev.specdec.verification;
