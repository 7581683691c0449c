/**
 * Token trees and the tensors of one tree-attention verification pass.
 *
 * <p>A {@link dev.specdec.tree.TokenTree} is what a drafter proposes: node 0 is the root (the last
 * context token, not yet run through the model) and every other node is a draft token. {@link
 * dev.specdec.tree.TreeAttention} flattens a tree into {@code input_ids}, {@code position_ids} and
 * the additive ancestor mask, writing into caller-owned buffers so that a decode loop allocates
 * nothing per step. Pure Java: no model, no native code.
 */
package dev.specdec.tree;
