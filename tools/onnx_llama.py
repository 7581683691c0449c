"""Builds Llama-style decoder ONNX graphs from numpy weights, with numpy + onnx only (no torch).

The one builder of specdec's contract decoders: used by the importers (tools/import_llama2c.py,
tools/import_hf_llama.py), tools/make_test_models.py (test-tiny and the contract-valid fixtures),
tools/train/export.py (through make_test_models.export) and tools/make_optimum_fixtures.py. Two
layouts (docs/model-contract.md, docs/importing.md):

  "specdec"  the specdec model contract v1: additive 4-D mask, sequence-major cache, outputs the
             new keys/values only, plus hidden_states and specdec.* metadata. The graph reads the
             past where it lies (no Concat/Transpose of the cache) and uses ONNX Runtime's
             com.microsoft CPU kernels RotaryEmbedding, SkipSimplifiedLayerNormalization and
             FusedMatMul: see _specdec_graph and the contract's "Graph layout".
  "optimum"  Hugging Face Optimum's decoder layout: int64 attention_mask [B, P+T] (1 = attend), the
             causal mask built inside the graph, head-major cache past_key_values.{i}.key/.value
             [B, Hkv, P, D] and outputs present.{i}.key/.value [B, Hkv, P+T, D] = past ++ new.
             Plain opset-17 operators: fused QKV and gate/up projections, constant-shape reshapes,
             rotate-half RoPE from gathered cos/sin tables, 4-D attention matmuls with the GQA
             group folded into the query rows (a 5-D broadcast made ONNX Runtime transpose the
             cache). build(..., attention="concat") writes the specdec layout that way too (the
             graph before the in-place one, kept to measure against).

Weights (all float32, stored for x @ W, i.e. [in, out]):
  embed [V, Hd]; per layer: attn_norm [Hd], wq [Hd, H*D], wk [Hd, Hkv*D], wv [Hd, Hkv*D],
  wo [H*D, Hd], mlp_norm [Hd], w1 [Hd, F] (gate), w3 [Hd, F] (up), w2 [F, Hd];
  final_norm [Hd]; lm_head [Hd, V].
Query/key output columns are in rotate-half order (dims j and j + D/2 of a head are a pair), as in
Hugging Face Llama checkpoints; interleaved checkpoints (llama2.c, Meta) go through
interleaved_to_rotate_half first.
"""

import dataclasses
import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
MS_DOMAIN = "com.microsoft"
MASK_NEG = -1e9
ATTENTION = ("inplace", "exact", "concat")  # build(attention=...); None picks by default_attention
INPLACE_MAX_KV_HEADS = 2


def default_attention(cfg):
    """The attention graph build() writes when not told: "inplace" up to INPLACE_MAX_KV_HEADS KV
    heads, "concat" above. The in-place graph widens each query row to all Hkv heads' columns, so
    its attention products cost Hkv times those of per-head products; measured (docs/performance.md,
    random 4-layer models, hidden 512, 8 query heads, P = 200/600): at Hkv = 2 it was faster at
    T = 1 and 16, at Hkv = 4 and 8 it was 12-39 % slower than the concat graph at T = 16, P = 600."""
    return "inplace" if cfg.kv_heads <= INPLACE_MAX_KV_HEADS else "concat"


@dataclasses.dataclass
class LlamaConfig:
    name: str
    vocab: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    ffn: int
    max_pos: int
    bos: int = 1
    eos: int = 2
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    head_dim: int = 0  # 0: hidden // heads

    @property
    def head_size(self):
        return self.head_dim or self.hidden // self.heads

    def validate(self):
        if not self.head_dim and self.hidden % self.heads:
            raise ValueError("hidden size %d is not a multiple of heads %d" % (self.hidden, self.heads))
        if self.heads % self.kv_heads:
            raise ValueError("heads %d is not a multiple of kv heads %d" % (self.heads, self.kv_heads))
        if self.head_size % 2:
            raise ValueError("head size %d must be even for RoPE" % self.head_size)


def interleaved_to_rotate_half(w, heads):
    """Reorders the output columns of a q/k projection [in, heads*D] from interleaved RoPE pairs
    (2i, 2i+1) to rotate-half pairs (i, i + D/2), per head. q.k is unchanged when q and k get the
    same permutation, so attention scores are identical (this is what HF's convert script does)."""
    d = w.shape[1] // heads
    perm = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])
    cols = (np.arange(heads)[:, None] * d + perm[None, :]).reshape(-1)
    return np.ascontiguousarray(w[:, cols])


def check_weights(cfg, w):
    cfg.validate()
    Hd, H, Hkv, D, F, V = cfg.hidden, cfg.heads, cfg.kv_heads, cfg.head_size, cfg.ffn, cfg.vocab
    want = {"embed": (V, Hd), "final_norm": (Hd,), "lm_head": (Hd, V)}
    for k, shape in want.items():
        if tuple(w[k].shape) != shape:
            raise ValueError("weight %s has shape %s, expected %s" % (k, w[k].shape, shape))
    if len(w["layers"]) != cfg.layers:
        raise ValueError("%d layers of weights, config says %d" % (len(w["layers"]), cfg.layers))
    lw = {"attn_norm": (Hd,), "wq": (Hd, H * D), "wk": (Hd, Hkv * D), "wv": (Hd, Hkv * D),
          "wo": (H * D, Hd), "mlp_norm": (Hd,), "w1": (Hd, F), "w3": (Hd, F), "w2": (F, Hd)}
    for i, layer in enumerate(w["layers"]):
        for k, shape in lw.items():
            if tuple(layer[k].shape) != shape:
                raise ValueError("layer %d weight %s has shape %s, expected %s"
                                 % (i, k, layer[k].shape, shape))


class _Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type, inputs, n_out=1, **attrs):
        self.count += 1
        outs = ["%s_%d" % (op_type.lower(), self.count) + ("_%d" % k if n_out > 1 else "")
                for k in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def skip_rms(self, residual, delta, weight, eps, output=None):
        """SkipSimplifiedLayerNormalization: (rmsnorm(residual + delta) * weight, residual + delta);
        the mean and inverse-std outputs are not asked for. output names the normalised result."""
        self.count += 1
        out = output or "skipnorm_%d" % self.count
        total = "residual_%d" % self.count
        self.nodes.append(helper.make_node("SkipSimplifiedLayerNormalization", [residual, delta, weight],
                                           [out, "", "", total], domain=MS_DOMAIN, epsilon=eps))
        return out, total

    def named(self, op_type, inputs, output, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, [output], **attrs))
        return output


def _specdec_graph(g, cfg, w, exact_chains=False):
    """The contract decoder (docs/model-contract.md, "Graph layout"): the past K/V is read where
    the caller keeps it, never concatenated with the new rows or transposed.

    Attention runs over the cache as [B, P, Hkv*D] matrices (a free reshape of the sequence-major
    [B, P, Hkv, D]): each query row (token t, head h) is widened to Hkv*D columns holding q in the
    block of its KV head j = h // G and zeros elsewhere, so one plain MatMul against the cache
    gives every head's scores ([B, T*H, P]); the new keys get their own scores ([B, T*H, T]); the
    softmax runs over both parts concatenated (the small score matrix, not the cache), and the
    probabilities are split again and multiplied with the past and the new values separately. Of
    the [B, T*H, Hkv*D] result each row keeps the block of its KV head (a 0/1 mask and a sum).
    The zeros cost Hkv times the attention FLOPs of a per-head product, on a matrix-vector
    product that is memory-bound at T = 1; it is what removes every per-pass copy of the cache
    (ONNX Runtime's FusedMatMul with transBatchB would read per-head strided views, but divides by
    P, which crashes at P = 0).

    Fused com.microsoft operators of ONNX Runtime's CPU provider: RotaryEmbedding (rotate-half,
    per-token position_ids, so tree siblings may share positions), SkipSimplifiedLayerNormalization
    (residual add + RMSNorm in one kernel); the first RMSNorm is written as the Pow/ReduceMean/
    Add/Sqrt/Div/Mul pattern ONNX Runtime fuses into SimplifiedLayerNormalization at load.

    Summing the value products of the past and of the new part separately makes a chain of T
    tokens differ from T single-token passes in the last bits (max |d logits| ~1e-5 on the
    default bundle), as tree passes always did. exact_chains: one value MatMul over the past
    values concatenated with the new ones instead (a copy of the past values per layer, no
    transpose): chains then equal single-token passes bit for bit, as the concat graph did."""
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    H, Hkv, D, L, F = cfg.heads, cfg.kv_heads, cfg.head_size, cfg.layers, cfg.ffn
    G = H // Hkv
    shape = lambda name, vals: g.const(name, np.array(vals, dtype=np.int64))  # noqa: E731

    inv = 1.0 / (cfg.rope_theta ** (np.arange(0, D, 2, dtype=np.float64) / D))
    ang = np.arange(cfg.max_pos, dtype=np.float64)[:, None] * inv[None, :]
    g.const("rope_cos", f32(np.cos(ang)))  # [max_pos, D/2]
    g.const("rope_sin", f32(np.sin(ang)))
    # RotaryEmbedding reads its tables unchecked: positions go through a Gather on a table of the
    # same length first, so a position past the tables fails the run ("indices element out of
    # data bounds") instead of reading outside them
    g.const("position_rows", np.arange(cfg.max_pos, dtype=np.int64))
    g.const("embed", f32(w["embed"]))
    g.const("final_norm", f32(w["final_norm"]))
    g.const("lm_head", f32(w["lm_head"]))
    sel = np.zeros((H, Hkv, 1), np.float32)  # sel[h, j] = 1 where query head h reads KV head j
    sel[np.arange(H), np.arange(H) // G] = 1.0
    g.const("head_select", sel)
    eps = float(cfg.norm_eps)

    x = g.op("Gather", ["embed", "input_ids"])  # [B,T,Hd]
    positions = g.op("Gather", ["position_rows", "position_ids"])  # == position_ids, bounds-checked
    # once per pass: the mask repeated for the H query rows of each token, [B, T*H, P+T] ...
    mask4 = g.op("Reshape", ["attention_mask", shape("mask_bt1s", [0, -1, 1, 0])])  # [B,T,1,S]
    mask4 = g.op("Expand", [mask4, shape("mask_heads", [1, 1, H, 1])])  # [B,T,H,S]
    s_len = g.op("Shape", ["attention_mask"], start=3)  # [S]
    rows = g.op("Concat", [shape("rows_head", [0, -1]), s_len], axis=0)
    mask_rows = g.op("Reshape", [mask4, rows])  # [B,T*H,S]
    # ... and the sizes [P, T] that split the probabilities into the cached and the new part
    if not exact_chains:
        sizes = g.op("Concat", [g.op("Shape", ["past_key_0"], start=1, end=2),
                                g.op("Shape", ["input_ids"], start=1, end=2)], axis=0)

    g.const("eps", np.array(eps, np.float32))
    g.const("two", np.array(2.0, np.float32))
    ms = g.op("ReduceMean", [g.op("Pow", [x, "two"])], axes=[-1], keepdims=1)
    residual = x
    for i in range(L):
        lw = w["layers"][i]
        g.const("attn_norm.%d" % i, f32(lw["attn_norm"]))
        g.const("wqkv.%d" % i, f32(np.concatenate([lw["wq"], lw["wk"], lw["wv"]], 1)))
        g.const("wo.%d" % i, f32(lw["wo"]))
        g.const("mlp_norm.%d" % i, f32(lw["mlp_norm"]))
        g.const("w13.%d" % i, f32(np.concatenate([lw["w1"], lw["w3"]], 1)))
        g.const("w2.%d" % i, f32(lw["w2"]))
        if i == 0:
            h = g.op("Mul", [g.op("Div", [x, g.op("Sqrt", [g.op("Add", [ms, "eps"])])]), "attn_norm.0"])
        qkv = g.op("MatMul", [h, "wqkv.%d" % i])  # [B,T,(H+2Hkv)*D]
        qk, v = g.op("Split", [qkv, shape("qk_v", [(H + Hkv) * D, Hkv * D])], n_out=2, axis=-1)
        qk = g.op("RotaryEmbedding", [qk, positions, "rope_cos", "rope_sin"], domain=MS_DOMAIN,
                  interleaved=0, num_heads=H + Hkv)
        q, k = g.op("Split", [qk, shape("q_k", [H * D, Hkv * D])], n_out=2, axis=-1)
        g.named("Reshape", [k, shape("kv4", [0, 0, Hkv, D])], "new_key_%d" % i)
        g.named("Reshape", [v, "kv4"], "new_value_%d" % i)
        # q widened to its KV head's block: [B,T,H*D] -> [B,T,H,Hkv,D] -> [B,T*H,Hkv*D]
        qw = g.op("Mul", [g.op("Reshape", [q, shape("q5", [0, 0, H, 1, D])]), "head_select"])
        qw = g.op("Reshape", [qw, shape("rows_kv", [0, -1, Hkv * D])])
        pk = g.op("Reshape", ["past_key_%d" % i, shape("flat_kv", [0, 0, Hkv * D])])  # [B,P,Hkv*D]
        pv = g.op("Reshape", ["past_value_%d" % i, "flat_kv"])
        scale = {"alpha": 1.0 / math.sqrt(D), "transA": 0, "transB": 1}
        scores = g.op("Concat", [g.op("FusedMatMul", [qw, pk], domain=MS_DOMAIN, **scale),
                                 g.op("FusedMatMul", [qw, k], domain=MS_DOMAIN, **scale)], axis=-1)
        probs = g.op("Softmax", [g.op("Add", [scores, mask_rows])], axis=-1)  # [B,T*H,P+T]
        if exact_chains:
            o = g.op("MatMul", [probs, g.op("Concat", [pv, v], axis=1)])  # [B,T*H,Hkv*D]
        else:
            p_past, p_new = g.op("Split", [probs, sizes], n_out=2, axis=-1)
            o = g.op("Add", [g.op("MatMul", [p_past, pv]), g.op("MatMul", [p_new, v])])  # [B,T*H,Hkv*D]
        o = g.op("Mul", [g.op("Reshape", [o, shape("o5", [0, -1, H, Hkv, D])]), "head_select"])
        o = g.op("Reshape", [g.op("ReduceSum", [o, shape("kv_axis", [3])], keepdims=0),
                             shape("o3", [0, 0, H * D])])  # [B,T,H*D]
        h, residual = g.skip_rms(residual, g.op("MatMul", [o, "wo.%d" % i]), "mlp_norm.%d" % i, eps)
        a, b = g.op("Split", [g.op("MatMul", [h, "w13.%d" % i]), shape("ffn_split", [F, F])], n_out=2, axis=-1)
        act = g.op("Mul", [g.op("Mul", [a, g.op("Sigmoid", [a])]), b])
        mlp = g.op("MatMul", [act, "w2.%d" % i])
        norm = "attn_norm.%d" % (i + 1) if i + 1 < L else "final_norm"
        if i + 1 < L:
            g.const(norm, f32(w["layers"][i + 1]["attn_norm"]))
        h, residual = g.skip_rms(residual, mlp, norm, eps, "hidden_states" if i + 1 == L else None)
    g.named("MatMul", ["hidden_states", "lm_head"], "logits")


def build(cfg, w, layout, producer="specdec tools/onnx_llama.py", doc="", merged=False, attention=None):
    """Returns an onnx.ModelProto of the decoder in the given layout ("specdec" or "optimum").

    attention (specdec only): "inplace", the graph _specdec_graph describes (the cache is read
    where it lies); "exact", the same but with the past values concatenated to the new ones for
    one value MatMul, so that a chain pass equals single-token passes bit for bit (one copy of the
    past values per layer and pass); "concat", the earlier graph of plain opset-17 operators,
    which concatenates the past with the new keys/values and transposes both in every layer (kept
    to measure against). docs/performance.md has the three measured. None: default_attention(cfg).

    merged (Optimum only): add the bool [1] input use_cache_branch of Optimum's
    decoder_model_merged.onnx. Here both branches are the same graph, so it selects nothing."""
    if layout not in ("specdec", "optimum"):
        raise ValueError("layout must be 'specdec' or 'optimum', was %r" % layout)
    check_weights(cfg, w)
    if attention is None:
        attention = default_attention(cfg)
    if attention not in ATTENTION:
        raise ValueError("attention must be one of %s, was %r" % (", ".join(ATTENTION), attention))
    g = _Graph()
    if layout == "specdec" and attention != "concat":
        _specdec_graph(g, cfg, w, exact_chains=attention == "exact")
        return _finish(g, cfg, layout, merged, producer, doc)
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    H, Hkv, D, L, F = cfg.heads, cfg.kv_heads, cfg.head_size, cfg.layers, cfg.ffn
    G = H // Hkv
    shape = lambda name, vals: g.const(name, np.array(vals, dtype=np.int64))

    inv = 1.0 / (cfg.rope_theta ** (np.arange(0, D, 2, dtype=np.float64) / D))
    ang = np.arange(cfg.max_pos, dtype=np.float64)[:, None] * inv[None, :]
    g.const("rope_cos", f32(np.cos(ang)))
    g.const("rope_sin", f32(np.sin(ang)))
    rot = np.zeros((D, D), np.float32)  # rotate_half(x) == x @ rot
    for j in range(D // 2):
        rot[j + D // 2, j] = -1.0
        rot[j, j + D // 2] = 1.0
    g.const("rope_rot", rot)
    g.const("embed", f32(w["embed"]))
    g.const("final_norm", f32(w["final_norm"]))
    g.const("lm_head", f32(w["lm_head"]))
    g.const("eps", np.array(cfg.norm_eps, np.float32))
    g.const("q_scale", np.array(1.0 / math.sqrt(D), np.float32))

    def rms(x, weight):
        ms = g.op("ReduceMean", [g.op("Mul", [x, x])], axes=[-1], keepdims=1)
        return g.op("Mul", [g.op("Div", [x, g.op("Sqrt", [g.op("Add", [ms, "eps"])])]), weight])

    x = g.op("Gather", ["embed", "input_ids"])  # [B,T,Hd]
    cos = g.op("Gather", ["rope_cos", "position_ids"])  # [B,T,D/2]
    sin = g.op("Gather", ["rope_sin", "position_ids"])
    cos = g.op("Unsqueeze", [g.op("Concat", [cos, cos], axis=-1), shape("ax2", [2])])  # [B,T,1,D]
    sin = g.op("Unsqueeze", [g.op("Concat", [sin, sin], axis=-1), "ax2"])

    if layout == "specdec":
        mask = "attention_mask"  # [B,1,T,S] additive
    else:
        # causal (key position <= P + t) and padding (attention_mask[b, s] == 1), as additive
        t_len = g.op("Gather", [g.op("Shape", ["input_ids"]), shape("one", 1)], axis=0)
        s_len = g.op("Gather", [g.op("Shape", ["attention_mask"]), "one"], axis=0)
        p_len = g.op("Sub", [s_len, t_len])
        zero, step = shape("zero", 0), shape("step", 1)
        q_pos = g.op("Add", [g.op("Range", [zero, t_len, step]), p_len])  # [T]
        k_pos = g.op("Range", [zero, s_len, step])  # [S]
        causal = g.op("LessOrEqual", [g.op("Unsqueeze", [k_pos, shape("ax0", [0])]),
                                      g.op("Unsqueeze", [q_pos, shape("ax1", [1])])])  # [T,S]
        pad = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", shape("ax12", [1, 2])])],
                   to=TensorProto.BOOL)  # [B,1,1,S]
        allowed = g.op("And", [causal, pad])  # [B,1,T,S]
        mask = g.op("Where", [allowed, g.const("mask_zero", np.array(0.0, np.float32)),
                              g.const("mask_neg", np.array(MASK_NEG, np.float32))])
    mask_rows = g.op("Concat", [mask] * G, axis=2) if G > 1 else mask  # [B,1,G*T,S]

    outputs_kv = []
    for i in range(L):
        lw = w["layers"][i]
        g.const("attn_norm_%d" % i, f32(lw["attn_norm"]))
        g.const("wqkv_%d" % i, f32(np.concatenate([lw["wq"], lw["wk"], lw["wv"]], 1)))
        g.const("wo_%d" % i, f32(lw["wo"]))
        g.const("mlp_norm_%d" % i, f32(lw["mlp_norm"]))
        g.const("w13_%d" % i, f32(np.concatenate([lw["w1"], lw["w3"]], 1)))
        g.const("w2_%d" % i, f32(lw["w2"]))
        h = rms(x, "attn_norm_%d" % i)
        qkv = g.op("Reshape", [g.op("MatMul", [h, "wqkv_%d" % i]), shape("qkv_shape", [0, 0, H + 2 * Hkv, D])])
        q, k, v = g.op("Split", [qkv, shape("qkv_split", [H, Hkv, Hkv])], n_out=3, axis=2)
        q = g.op("Add", [g.op("Mul", [q, cos]), g.op("Mul", [g.op("MatMul", [q, "rope_rot"]), sin])])
        q = g.op("Mul", [q, "q_scale"])
        k = g.op("Add", [g.op("Mul", [k, cos]), g.op("Mul", [g.op("MatMul", [k, "rope_rot"]), sin])])
        # fold the GQA group into the query rows: [B,T,H,D] -> [B,Hkv,G*T,D]
        q = g.op("Reshape", [q, shape("q5", [0, 0, Hkv, G, D])])
        q = g.op("Reshape", [g.op("Transpose", [q], perm=[0, 2, 3, 1, 4]), shape("q4", [0, Hkv, -1, D])])
        if layout == "specdec":
            k = g.named("Identity", [k], "new_key_%d" % i)
            v = g.named("Identity", [v], "new_value_%d" % i)
            outputs_kv += ["new_key_%d" % i, "new_value_%d" % i]
            keys = g.op("Concat", ["past_key_%d" % i, k], axis=1)  # [B,S,Hkv,D]
            kt = g.op("Transpose", [keys], perm=[0, 2, 3, 1])  # [B,Hkv,D,S]
            vv = g.op("Transpose", [g.op("Concat", ["past_value_%d" % i, v], axis=1)], perm=[0, 2, 1, 3])
        else:
            kh = g.op("Transpose", [k], perm=[0, 2, 1, 3])  # [B,Hkv,T,D]
            vh = g.op("Transpose", [v], perm=[0, 2, 1, 3])
            pk = g.named("Concat", ["past_key_values.%d.key" % i, kh], "present.%d.key" % i, axis=2)
            vv = g.named("Concat", ["past_key_values.%d.value" % i, vh], "present.%d.value" % i, axis=2)
            outputs_kv += [pk, vv]
            kt = g.op("Transpose", [pk], perm=[0, 1, 3, 2])  # [B,Hkv,D,S]
        probs = g.op("Softmax", [g.op("Add", [g.op("MatMul", [q, kt]), mask_rows])], axis=-1)
        o = g.op("MatMul", [probs, vv])  # [B,Hkv,G*T,D]
        o = g.op("Transpose", [g.op("Reshape", [o, shape("o5", [0, Hkv, G, -1, D])])], perm=[0, 3, 1, 2, 4])
        o = g.op("Reshape", [o, shape("o3", [0, 0, H * D])])
        x = g.op("Add", [x, g.op("MatMul", [o, "wo_%d" % i])])
        h = rms(x, "mlp_norm_%d" % i)
        a, b = g.op("Split", [g.op("MatMul", [h, "w13_%d" % i]), shape("ffn_split", [F, F])], n_out=2, axis=-1)
        act = g.op("Mul", [g.op("Mul", [a, g.op("Sigmoid", [a])]), b])
        x = g.op("Add", [x, g.op("MatMul", [act, "w2_%d" % i])])
    hs_name = "hidden_states" if layout == "specdec" else "final_hidden"
    g.nodes.append(helper.make_node("Mul", [g.op("Div", [x, g.op("Sqrt", [g.op("Add", [
        g.op("ReduceMean", [g.op("Mul", [x, x])], axes=[-1], keepdims=1), "eps"])])]), "final_norm"],
        [hs_name]))
    g.named("MatMul", [hs_name, "lm_head"], "logits")

    return _finish(g, cfg, layout, merged, producer, doc)


def _finish(g, cfg, layout, merged, producer, doc):
    H, Hkv, D, L = cfg.heads, cfg.kv_heads, cfg.head_size, cfg.layers
    # initializers shared by name were added once per use: keep the first of each
    seen, inits = set(), []
    for t in g.inits:
        if t.name not in seen:
            seen.add(t.name)
            inits.append(t)

    f, i64 = TensorProto.FLOAT, TensorProto.INT64
    vi = helper.make_tensor_value_info
    inputs = [vi("input_ids", i64, ["batch", "seq"])]
    outputs = [vi("logits", f, ["batch", "seq", cfg.vocab])]
    if layout == "specdec":
        inputs += [vi("position_ids", i64, ["batch", "seq"]),
                   vi("attention_mask", f, ["batch", 1, "seq", "total"])]
        outputs.append(vi("hidden_states", f, ["batch", "seq", cfg.hidden]))
        for i in range(L):
            inputs += [vi("past_key_%d" % i, f, ["batch", "past", Hkv, D]),
                       vi("past_value_%d" % i, f, ["batch", "past", Hkv, D])]
            outputs += [vi("new_key_%d" % i, f, ["batch", "seq", Hkv, D]),
                        vi("new_value_%d" % i, f, ["batch", "seq", Hkv, D])]
    else:
        # Optimum's names for the dynamic axes
        inputs += [vi("attention_mask", i64, ["batch_size", "past_sequence_length + sequence_length"]),
                   vi("position_ids", i64, ["batch_size", "sequence_length"])]
        inputs[0] = vi("input_ids", i64, ["batch_size", "sequence_length"])
        outputs = [vi("logits", f, ["batch_size", "sequence_length", cfg.vocab])]
        if merged:
            inputs.append(vi("use_cache_branch", TensorProto.BOOL, [1]))
        for i in range(L):
            for kind in ("key", "value"):
                inputs.append(vi("past_key_values.%d.%s" % (i, kind), f,
                                 ["batch_size", Hkv, "past_sequence_length", D]))
        for i in range(L):
            for kind in ("key", "value"):
                outputs.append(vi("present.%d.%s" % (i, kind), f,
                                  ["batch_size", Hkv, "past_sequence_length + sequence_length", D]))
    graph = helper.make_graph(g.nodes, cfg.name, inputs, outputs, inits)
    opsets = [helper.make_opsetid("", OPSET)]
    if any(n.domain == MS_DOMAIN for n in g.nodes):
        opsets.append(helper.make_opsetid(MS_DOMAIN, 1))
    model = helper.make_model(graph, opset_imports=opsets,
                              producer_name=producer, producer_version="1")
    model.ir_version = 8
    model.doc_string = doc
    if layout == "specdec":
        helper.set_model_props(model, {
            "specdec.contract": "1",
            "specdec.role": "decoder",
            "specdec.name": cfg.name,
            "specdec.num_layers": str(L),
            "specdec.num_heads": str(H),
            "specdec.num_kv_heads": str(Hkv),
            "specdec.head_size": str(D),
            "specdec.hidden_size": str(cfg.hidden),
            "specdec.vocab_size": str(cfg.vocab),
            "specdec.max_positions": str(cfg.max_pos),
            "specdec.bos_token_id": str(cfg.bos),
            "specdec.eos_token_id": str(cfg.eos),
            "specdec.rope_theta": repr(float(cfg.rope_theta)),
        })
    onnx.checker.check_model(model, full_check=True)
    return model


def hf_config(cfg):
    """The Hugging Face config.json of a Llama model with these sizes."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": cfg.hidden,
        "intermediate_size": cfg.ffn,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "num_key_value_heads": cfg.kv_heads,
        "vocab_size": cfg.vocab,
        "max_position_embeddings": cfg.max_pos,
        "rms_norm_eps": cfg.norm_eps,
        "rope_theta": cfg.rope_theta,
        "bos_token_id": cfg.bos,
        "eos_token_id": cfg.eos,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
    }


def reference_logits(cfg, w, ids):
    """Naive numpy Llama forward over a whole sequence (causal): logits [T, V]. For self-checks."""
    H, Hkv, D = cfg.heads, cfg.kv_heads, cfg.head_size
    G = H // Hkv
    T = len(ids)

    def rms(x, g):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + cfg.norm_eps) * g

    inv = 1.0 / (cfg.rope_theta ** (np.arange(0, D, 2, dtype=np.float64) / D))
    ang = np.arange(T)[:, None] * inv[None, :]
    cos, sin = np.cos(np.concatenate([ang, ang], 1)), np.sin(np.concatenate([ang, ang], 1))

    def rope(x):  # [T, n, D]
        rh = np.concatenate([-x[..., D // 2:], x[..., :D // 2]], -1)
        return x * cos[:, None, :] + rh * sin[:, None, :]

    x = w["embed"][np.asarray(ids)].astype(np.float64)
    for lw in w["layers"]:
        h = rms(x, lw["attn_norm"])
        q = rope((h @ lw["wq"]).reshape(T, H, D))
        k = rope((h @ lw["wk"]).reshape(T, Hkv, D))
        v = (h @ lw["wv"]).reshape(T, Hkv, D)
        out = np.zeros((T, H, D))
        for hd in range(H):
            s = q[:, hd] @ k[:, hd // G].T / math.sqrt(D)
            s = s + np.triu(np.full((T, T), -np.inf), 1)
            p = np.exp(s - s.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            out[:, hd] = p @ v[:, hd // G]
        x = x + out.reshape(T, H * D) @ lw["wo"]
        h = rms(x, lw["mlp_norm"])
        a = h @ lw["w1"]
        x = x + (a / (1 + np.exp(-a)) * (h @ lw["w3"])) @ lw["w2"]
    return rms(x, w["final_norm"]) @ w["lm_head"]
