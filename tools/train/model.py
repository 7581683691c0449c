"""Models of the default specdec family (training side) and their mapping to the export code.

* Llama-style decoder (RMSNorm, rotate-half RoPE, GQA, SwiGLU, tied embedding/LM head) -- the
  exact math of docs/model-contract.md; `decoder_weights()` turns it into the weight dict of
  tools/make_test_models.py, whose `Decoder`/`export` produce the contract ONNX.
* Medusa heads: K x (residual SiLU block + own LM head initialised from the target's).
* MTP head (DeepSeek-V3 style): RMSNorm(h_t) ++ RMSNorm(embed(x_{t+1})) -> projection -> one
  transformer block (own KV cache) -> RMSNorm -> the target's (frozen, tied) LM head; predicts
  x_{t+2}.
"""
import dataclasses
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-5


@dataclasses.dataclass
class ModelCfg:
    name: str
    vocab: int = 8192
    hidden: int = 512
    layers: int = 8
    heads: int = 8
    kv_heads: int = 2
    head_size: int = 64
    ffn: int = 1408
    max_pos: int = 1024
    rope_theta: float = 10000.0
    bos: int = 1
    eos: int = 2


CONFIGS = {
    # ~26.7M parameters (4.2M of them the tied embedding)
    "target": ModelCfg("specdec-java-target", hidden=512, layers=8, heads=8, kv_heads=2, head_size=64, ffn=1408),
    # ~1.4M parameters (1.05M tied embedding)
    "draft": ModelCfg("specdec-java-draft", hidden=128, layers=2, heads=4, kv_heads=2, head_size=32, ffn=352),
    # pilot sizes of issue 16 (compute-matched comparison against "target"; see the model card)
    # ~12.5M parameters (3.1M tied embedding)
    "target-m": ModelCfg("specdec-java-target", hidden=384, layers=6, heads=6, kv_heads=2, head_size=64, ffn=1024),
    # ~6.5M parameters (2.1M tied embedding)
    "target-s": ModelCfg("specdec-java-target", hidden=256, layers=6, heads=4, kv_heads=2, head_size=64, ffn=704),
    # ~0.80M parameters (0.66M tied embedding): a decode step costs 1/8 of a "target-s" step in FLOPs
    "draft-xs": ModelCfg("specdec-java-draft", hidden=80, layers=2, heads=2, kv_heads=1, head_size=40, ffn=224),
    # ~2.85M parameters (2.1M tied embedding): one "target-s" layer, so it can start from the target's
    # embedding, first layer and final norm (train.py --init-layers-from); measured per decode step in
    # ONNX Runtime, a layer costs about the same at any of these small widths
    "draft-1l": ModelCfg("specdec-java-draft", hidden=256, layers=1, heads=4, kv_heads=2, head_size=64, ffn=704),
    # smoke-test sizes
    "tiny-target": ModelCfg("tiny-target", hidden=64, layers=2, heads=4, kv_heads=2, head_size=16, ffn=172, max_pos=256),
    "tiny-draft": ModelCfg("tiny-draft", hidden=32, layers=1, heads=2, kv_heads=1, head_size=16, ffn=86, max_pos=256),
}


def train_flops_per_token(cfg, seq_len):
    """Training FLOPs per token (forward + backward), Kaplan et al.'s C = 6N + 6 L T d_attn, with N
    the parameters that take part in matmuls (the tied embedding counts once, as the LM head)."""
    d_attn = cfg.heads * cfg.head_size
    kv = cfg.kv_heads * cfg.head_size
    per_layer = cfg.hidden * (d_attn + 2 * kv) + d_attn * cfg.hidden + 3 * cfg.hidden * cfg.ffn
    n = cfg.layers * per_layer + cfg.vocab * cfg.hidden
    return 6 * n + 6 * cfg.layers * seq_len * d_attn


def rms(x, w):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + EPS) * w


class RMSNorm(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt((xf * xf).mean(-1, keepdim=True) + EPS)).type_as(x) * self.weight


def rope_cache(cfg):
    D = cfg.head_size
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = torch.arange(cfg.max_pos, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()  # [max_pos, D/2]


def apply_rope(x, cos, sin):
    """x [B,T,h,D]; cos/sin [T,D/2] (or [B,T,D/2])."""
    h = x.shape[-1] // 2
    c = torch.cat([cos, cos], -1).unsqueeze(-2)
    s = torch.cat([sin, sin], -1).unsqueeze(-2)
    rot = torch.cat([-x[..., h:], x[..., :h]], -1)
    return x * c + rot * s


def causal_attention(q, k, v, G):
    """q [B,T,H,D], k/v [B,T,Hkv,D] -> [B,T,H*D]; query head h uses kv head h // G."""
    B, T, H, D = q.shape
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    if G > 1:
        k = k.repeat_interleave(G, dim=1)
        v = v.repeat_interleave(G, dim=1)
    if hasattr(F, "scaled_dot_product_attention"):
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    else:
        s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(D))
        mask = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1)
        s = s.float().masked_fill(mask, float("-inf"))
        o = torch.matmul(torch.softmax(s, -1).type_as(v), v)
    return o.transpose(1, 2).reshape(B, T, H * D)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        Hd, H, Hkv, D, Fn = cfg.hidden, cfg.heads, cfg.kv_heads, cfg.head_size, cfg.ffn
        self.cfg = cfg
        self.attn_norm = RMSNorm(Hd)
        self.wq = nn.Linear(Hd, H * D, bias=False)
        self.wk = nn.Linear(Hd, Hkv * D, bias=False)
        self.wv = nn.Linear(Hd, Hkv * D, bias=False)
        self.wo = nn.Linear(H * D, Hd, bias=False)
        self.mlp_norm = RMSNorm(Hd)
        self.w1 = nn.Linear(Hd, Fn, bias=False)
        self.w3 = nn.Linear(Hd, Fn, bias=False)
        self.w2 = nn.Linear(Fn, Hd, bias=False)

    def forward(self, x, cos, sin):
        c = self.cfg
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = apply_rope(self.wq(h).view(B, T, c.heads, c.head_size), cos, sin)
        k = apply_rope(self.wk(h).view(B, T, c.kv_heads, c.head_size), cos, sin)
        v = self.wv(h).view(B, T, c.kv_heads, c.head_size)
        x = x + self.wo(causal_attention(q, k, v, c.heads // c.kv_heads))
        h = self.mlp_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))

    def export_weights(self):
        t = lambda lin: lin.weight.detach().float().t().contiguous()  # noqa: E731  [in, out]
        return {"attn_norm": self.attn_norm.weight.detach().float().clone(),
                "wq": t(self.wq), "wk": t(self.wk), "wv": t(self.wv), "wo": t(self.wo),
                "mlp_norm": self.mlp_norm.weight.detach().float().clone(),
                "w1": t(self.w1), "w3": t(self.w3), "w2": t(self.w2)}


def init_weights(module, std=0.02, n_layers=1):
    for name, p in module.named_parameters():
        if p.dim() == 2:
            nn.init.normal_(p, std=std)
            if name.endswith("wo.weight") or name.endswith("w2.weight"):
                p.data.mul_(1.0 / math.sqrt(2 * n_layers))  # GPT-2 style residual scaling


class LlamaLM(nn.Module):
    """Target / draft decoder. Tied embedding: logits = hidden_states @ embed.T."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab, cfg.hidden)
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.final_norm = RMSNorm(cfg.hidden)
        cos, sin = rope_cache(cfg)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        init_weights(self, n_layers=cfg.layers)

    def hidden(self, ids):
        T = ids.shape[1]
        assert T <= self.cfg.max_pos, (T, self.cfg.max_pos)
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        x = self.embed(ids)
        for l in self.layers:
            x = l(x, cos, sin)
        return self.final_norm(x)

    def logits(self, hs):
        return F.linear(hs, self.embed.weight)

    def forward(self, ids):
        hs = self.hidden(ids)
        return self.logits(hs), hs

    def num_params(self):
        return sum(p.numel() for p in self.parameters())


def decoder_weights(model):
    """Weight dict in the layout of tools/make_test_models.py (x @ W, [in, out])."""
    emb = model.embed.weight.detach().float().clone()
    return {"embed": emb, "layers": [l.export_weights() for l in model.layers],
            "final_norm": model.final_norm.weight.detach().float().clone(),
            "lm_head": emb.t().contiguous()}


def mtm_cfg(cfg):
    import tok
    return tok.mtm.Cfg(name=cfg.name, vocab=cfg.vocab, hidden=cfg.hidden, layers=cfg.layers,
                       heads=cfg.heads, kv_heads=cfg.kv_heads, head_size=cfg.head_size, ffn=cfg.ffn,
                       max_pos=cfg.max_pos, bos=cfg.bos, eos=cfg.eos, rope_theta=cfg.rope_theta)


class Medusa(nn.Module):
    """K heads; head k (0-based) predicts x_{t+k+2} from the target's hidden_states h_t.
    head_k(h) = (h + silu(W_k h + b_k)) @ lm_head_k^T,  W_k = 0 and lm_head_k = target head at init."""

    def __init__(self, hidden, vocab, K=4, lm_head=None):
        super().__init__()
        self.K = K
        self.res = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(K)])
        for r in self.res:
            nn.init.zeros_(r.weight)
            nn.init.zeros_(r.bias)
        w = lm_head.detach().clone() if lm_head is not None else torch.randn(vocab, hidden) * 0.02
        self.heads = nn.Parameter(w.unsqueeze(0).repeat(K, 1, 1))  # [K, V, Hd]

    def head_logits(self, h):  # list of K [B,T,V] (training: no stacked copy / select-backward)
        return [F.linear(h + F.silu(self.res[k](h)), self.heads[k]) for k in range(self.K)]

    def forward(self, h):  # [B,T,Hd] -> [K,B,T,V]
        return torch.stack(self.head_logits(h))


class MTP(nn.Module):
    """DeepSeek-V3-style multi-token-prediction module on a frozen target.

    Position t: inputs h_t (target hidden_states) and x_{t+1}; output logits for x_{t+2}.
    The embedding and LM head are the target's (not trained here, passed in)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.hnorm = RMSNorm(cfg.hidden)
        self.enorm = RMSNorm(cfg.hidden)
        self.proj = nn.Linear(2 * cfg.hidden, cfg.hidden, bias=False)
        bcfg = dataclasses.replace(cfg, layers=1)
        self.block = Block(bcfg)
        self.final_norm = RMSNorm(cfg.hidden)
        cos, sin = rope_cache(cfg)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        init_weights(self, n_layers=2)

    def forward(self, h, next_emb):
        """h [B,T,Hd] (target hidden at t), next_emb [B,T,Hd] (embedding of x_{t+1}) -> hidden
        [B,T,Hd]; RoPE positions are 1..T (the position of x_{t+1})."""
        T = h.shape[1]
        cos, sin = self.rope_cos[1:T + 1], self.rope_sin[1:T + 1]
        x = self.proj(torch.cat([self.hnorm(h), self.enorm(next_emb)], -1))
        x = self.block(x, cos, sin)
        return self.final_norm(x)
