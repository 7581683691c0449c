/**
 * From logits to tokens: temperature, top-k and top-p warping into probability vectors, and seeded
 * sampling. Acceptance rules apply the same warping to target and draft distributions.
 */
package dev.specdec.sampling;
