#!/usr/bin/python3
"""Export trained checkpoints into a specdec bundle (models/<name>/).

  export.py --out models/specdec-java --target W/target --draft W/draft [--medusa W/medusa] [--mtp W/mtp]
            [--weights int8|fp16|fp32] [--eval-tokens 262144]

* target/draft: tools/make_test_models.export, i.e. tools/onnx_llama.build (contract v1, opset 17 + com.microsoft 1:
  the KV cache read in place, RotaryEmbedding, SkipSimplifiedLayerNormalization; docs/model-contract.md),
  then (1) tied embedding stored once: the [Hd,V] LM-head matrix also serves the embedding lookup
  (Gather axis=1 + Transpose) and the [V,Hd] copy is removed; (2) compact storage of every MatMul
  weight with >= 16384 elements: int8 (symmetric, one fp32 scale per output column; Cast + Mul
  nodes, which ONNX Runtime constant-folds at load, so compute stays fp32) or fp16 (+ Cast).
* medusa.onnx: hidden_states [batch,seq,Hd] -> logits [K,batch,seq,V]; mtp.onnx: see
  docs/mtp-medusa-contract.md.
* Every file is checked with onnx.checker and run by the numpy interpreter of make_test_models.py
  against torch with the same (rounded) weights; the torch training model is checked against the
  independent float64 reference of make_test_models.py. The effect of the storage format on the
  validation loss is measured (fp32 vs fp16 vs int8) and written to <out>/../<name>-export.json
  (read by model_card.py).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bundle_weights  # noqa: E402
import model as M  # noqa: E402
import tok as T  # noqa: E402
import train as TR  # noqa: E402

mtm = T.mtm
OPSET = 17
MIN_NUMEL = 16384
PRODUCER = "specdec tools/train/export.py"


# ------------------------------------------------------------------------------------------------
# weight storage
# ------------------------------------------------------------------------------------------------

def round_weight(a, mode):
    """What the stored weight decodes to (np.float32 array), per column for int8."""
    a = np.asarray(a, dtype=np.float32)
    if mode == "fp32" or a.size < MIN_NUMEL:
        return a
    if mode == "fp16":
        return a.astype(np.float16).astype(np.float32)
    q, s = quantize(a)
    return q.astype(np.float32) * s


def quantize(a):
    s = (np.abs(a).max(axis=0, keepdims=True) / 127.0).astype(np.float32)
    s[s == 0] = 1.0
    q = np.clip(np.round(a / s), -127, 127).astype(np.int8)
    return q, s


def compress(model, mode):
    """Store MatMul weights (>= MIN_NUMEL elements) as int8/fp16 + decode nodes (output keeps the name)."""
    if mode == "fp32":
        return model
    inits = {i.name: i for i in model.graph.initializer}
    names = []
    for n in model.graph.node:
        if n.op_type == "MatMul" and len(n.input) > 1 and n.input[1] in inits and n.input[1] not in names:
            if int(np.prod(inits[n.input[1]].dims)) >= MIN_NUMEL:
                names.append(n.input[1])
    new_nodes = []
    for name in names:
        a = numpy_helper.to_array(inits[name])
        model.graph.initializer.remove(inits[name])
        if mode == "fp16":
            model.graph.initializer.append(numpy_helper.from_array(a.astype(np.float16), name + "_fp16"))
            new_nodes.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT))
        else:
            q, s = quantize(a)
            model.graph.initializer.append(numpy_helper.from_array(q, name + "_int8"))
            model.graph.initializer.append(numpy_helper.from_array(s, name + "_scale"))
            new_nodes.append(helper.make_node("Cast", [name + "_int8"], [name + "_deq"], to=TensorProto.FLOAT))
            new_nodes.append(helper.make_node("Mul", [name + "_deq", name + "_scale"], [name]))
    old = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(new_nodes + old)
    return model


def tie_embedding(model, V, Hd):
    """Replace Gather(embed[V,Hd], ids) by Transpose(Gather(lm_head[Hd,V], ids, axis=1)) when
    embed == lm_head^T, and drop the [V,Hd] initializer."""
    inits = {i.name: i for i in model.graph.initializer}
    heads = [n.input[1] for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in inits
             and list(inits[n.input[1]].dims) == [Hd, V]]
    gathers = [n for n in model.graph.node if n.op_type == "Gather" and n.input[0] in inits
               and list(inits[n.input[0]].dims) == [V, Hd]]
    assert len(heads) == 1 and len(gathers) == 1, (heads, [g.input for g in gathers])
    head, g = heads[0], gathers[0]
    emb = numpy_helper.to_array(inits[g.input[0]])
    assert np.array_equal(emb.T, numpy_helper.to_array(inits[head])), "embedding is not tied"
    nodes = list(model.graph.node)
    i = nodes.index(g)
    out = g.output[0]
    new = [helper.make_node("Gather", [head, g.input[1]], [out + "_hbt"], axis=1),
           helper.make_node("Transpose", [out + "_hbt"], [out], perm=[1, 2, 0])]
    model.graph.initializer.remove(inits[g.input[0]])
    del model.graph.node[:]
    model.graph.node.extend(nodes[:i] + new + nodes[i + 1:])
    return model


def finish(model, path, doc, meta=None):
    model.producer_name = PRODUCER
    model.producer_version = "1"
    model.doc_string = doc
    if meta is not None:
        del model.metadata_props[:]
        helper.set_model_props(model, meta)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    return model


def set_output_shapes(model, want):
    for vi in list(model.graph.output) + list(model.graph.input):
        if vi.name in want:
            mtm.set_shape(vi, want[vi.name])
    del model.graph.value_info[:]


# ------------------------------------------------------------------------------------------------
# decoders
# ------------------------------------------------------------------------------------------------

def rounded_dict(w, mode):
    r = lambda a: torch.from_numpy(round_weight(a.numpy(), mode))  # noqa: E731
    out = {"layers": []}
    for l in w["layers"]:
        out["layers"].append({k: (r(v) if k in ("wq", "wk", "wv", "wo", "w1", "w3", "w2") else v)
                              for k, v in l.items()})
    # fused matrices in the graph: wqkv = [wq|wk|wv], w13 = [w1|w3]; per-column rounding is the
    # same on the parts, but the size threshold applies to the fused matrix
    for lo, li in zip(out["layers"], w["layers"]):
        for names in (("wq", "wk", "wv"), ("w1", "w3")):
            fused = torch.cat([li[n] for n in names], 1).numpy()
            rf = torch.from_numpy(round_weight(fused, mode))
            for n, part in zip(names, torch.split(rf, [li[n].shape[1] for n in names], 1)):
                lo[n] = part.contiguous()
    out["lm_head"] = r(w["lm_head"])
    out["embed"] = out["lm_head"].t().contiguous()
    out["final_norm"] = w["final_norm"]
    return out


def check_vs_reference(lm, w, cfg):
    """Training model (causal, full sequence) vs make_test_models' naive float64 reference."""
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(3, cfg.vocab, (17,), generator=g)
    with torch.no_grad():
        got, hs = lm(ids[None])
    want, _ = mtm.reference_logits(M.mtm_cfg(cfg), w, ids)
    err = (got[0].double() - want).abs().max().item() / max(1.0, want.abs().max().item())
    assert err < 1e-4, ("training model != reference", err)
    return err


def check_graph(model, cfg_m, w_rounded, seed=6):
    """Numpy interpreter of the final file vs torch (make_test_models.Decoder, rounded weights)."""
    mod = mtm.Decoder(cfg_m, w_rounded).eval()
    g = torch.Generator().manual_seed(seed)
    B, Tn, P = 2, 3, 5
    ids = torch.randint(3, cfg_m.vocab, (B, Tn), generator=g)
    pos = torch.arange(P, P + Tn).unsqueeze(0).repeat(B, 1)
    mask = mtm.causal_mask(B, P, Tn)
    mask[1, 0, :, 0] = mtm.MASK_NEG
    past = [torch.randn(B, P, cfg_m.kv_heads, cfg_m.head_size, generator=g) for _ in range(2 * cfg_m.layers)]
    want = mtm.run_module(mod, ids, pos, mask, past, cfg_m)
    ins, outs = mtm.io_names(cfg_m)
    vals = {"input_ids": ids, "position_ids": pos, "attention_mask": mask}
    for i in range(cfg_m.layers):
        vals["past_key_%d" % i], vals["past_value_%d" % i] = past[2 * i], past[2 * i + 1]
    got = mtm.run_numpy(model, {n: vals[n].numpy() for n in ins})
    err = max(float(np.abs(a - b.numpy()).max()) for a, b in zip(got, want))
    assert err < 1e-3, err
    return err


def training_record(ck):
    """The stages behind a checkpoint's weights, oldest first, ending with the checkpoint's own run:
    stored in the ONNX metadata so that a run resumed from the committed bundle (train.py --init-from
    FILE.onnx) and its model card still know how the weights were made."""
    keep = ("config", "schedule", "lr", "batch_tokens", "seq_len", "short_seq_len", "warmup_steps",
            "decay_start_step", "cooldown_tokens", "target_ckpt", "alpha", "seed")
    own = {"ckpt_dir": ck["args"]["ckpt_dir"], "tokens": ck["tokens"], "steps": ck["step"],
           "minutes": round(ck["elapsed"] / 60, 2), "flops": ck.get("flops"),
           "cpu_minutes": round(ck.get("cpu_seconds", 0.0) / 60, 2), "hardware": ck.get("hardware", []),
           "args": {k: ck["args"][k] for k in keep if k in ck["args"]}}
    return [{k: v for k, v in st.items() if k != "args"} for st in ck.get("stages", [])] + [own]


def export_decoder(ck_dir, path, mode, role, attention=None):
    ck = TR.load_ckpt(ck_dir)
    cfg = M.ModelCfg(**ck["cfg"])
    lm = M.LlamaLM(cfg)
    lm.load_state_dict(ck["model"])
    lm.eval()
    w = M.decoder_weights(lm)
    ref_err = check_vs_reference(lm, w, cfg)
    cm = M.mtm_cfg(cfg)
    with tempfile.TemporaryDirectory() as td:
        model = mtm.export(cm, w, os.path.join(td, "m.onnx"), attention=attention)
    model = tie_embedding(model, cfg.vocab, cfg.hidden)
    model = compress(model, mode)
    meta = {p.key: p.value for p in model.metadata_props}
    meta[bundle_weights.TRAINING_KEY] = json.dumps(training_record(ck), separators=(",", ":"))
    finish(model, path, "specdec default model family: %s (%s, %d parameters, weights stored %s, "
                        "computed fp32). Contract v1." % (cfg.name, role, lm.num_params(), mode), meta)
    err = check_graph(model, cm, rounded_dict(w, mode))
    print("  %-8s %-22s %6.2f MB  training model vs reference %.1e, ONNX (numpy) vs torch %.1e, %d nodes"
          % (role, os.path.basename(path), os.path.getsize(path) / 1e6, ref_err, err, len(model.graph.node)))
    return lm, cfg, w


def lm_with_weights(cfg, w):
    """LlamaLM carrying the weights of a make_test_models-style dict (for loss measurements)."""
    lm = M.LlamaLM(cfg)
    sd = {"embed.weight": w["embed"], "final_norm.weight": w["final_norm"]}
    for i, l in enumerate(w["layers"]):
        for k in ("wq", "wk", "wv", "wo", "w1", "w3", "w2"):
            sd["layers.%d.%s.weight" % (i, k)] = l[k].t().contiguous()
        sd["layers.%d.attn_norm.weight" % i] = l["attn_norm"]
        sd["layers.%d.mlp_norm.weight" % i] = l["mlp_norm"]
    lm.load_state_dict(sd)
    return lm.eval()


# ------------------------------------------------------------------------------------------------
# Medusa
# ------------------------------------------------------------------------------------------------

class MedusaExport(torch.nn.Module):
    def __init__(self, med):
        super().__init__()
        self.K = med.K
        P = torch.nn.Parameter
        self.res_w = torch.nn.ParameterList([P(r.weight.detach().t().contiguous()) for r in med.res])
        self.res_b = torch.nn.ParameterList([P(r.bias.detach().clone()) for r in med.res])
        self.heads = torch.nn.ParameterList([P(med.heads[k].detach().t().contiguous()) for k in range(med.K)])

    def forward(self, hs):
        outs = []
        for k in range(self.K):
            a = torch.matmul(hs, self.res_w[k]) + self.res_b[k]
            outs.append(torch.matmul(hs + a * torch.sigmoid(a), self.heads[k]).unsqueeze(0))
        return torch.cat(outs, 0)


def medusa_rounded(med, mode):
    m = MedusaExport(med)
    with torch.no_grad():
        for p in list(m.res_w) + list(m.heads):
            p.copy_(torch.from_numpy(round_weight(p.numpy(), mode)))
    return m


def export_medusa(ck_dir, path, mode, target_name):
    ck = TR.load_ckpt(ck_dir)
    sd = ck["model"]
    K, V, Hd = sd["heads"].shape
    med = M.Medusa(Hd, V, K)
    med.load_state_dict(sd)
    mod = MedusaExport(med).eval()
    hs = torch.randn(2, 3, Hd)
    with tempfile.TemporaryDirectory() as td:
        tmp = os.path.join(td, "m.onnx")
        with torch.no_grad():
            torch.onnx.export(mod, (hs,), tmp, input_names=["hidden_states"], output_names=["logits"],
                              dynamic_axes={"hidden_states": {0: "batch", 1: "seq"}, "logits": {1: "batch", 2: "seq"}},
                              opset_version=OPSET, do_constant_folding=True)
        model = onnx.load(tmp)
    set_output_shapes(model, {"hidden_states": ["batch", "seq", Hd], "logits": [K, "batch", "seq", V]})
    model = compress(model, mode)
    finish(model, path, "Medusa heads (K=%d) of %s: hidden_states -> logits [K,B,T,V]; head k predicts "
                        "the token k+2 positions ahead. Weights stored %s." % (K, target_name, mode),
           {"specdec.contract": "1", "specdec.role": "medusa", "specdec.name": target_name + "-medusa",
            "specdec.target": target_name, "specdec.medusa_heads": str(K), "specdec.hidden_size": str(Hd),
            "specdec.vocab_size": str(V)})
    x = torch.randn(2, 5, Hd, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        want = medusa_rounded(med, mode)(x).numpy()
        raw = med(x).numpy()
    got = mtm.run_numpy(model, {"hidden_states": x.numpy()})[0]
    err = float(np.abs(got - want).max())
    assert err < 1e-3 and np.abs(raw - mod(x).detach().numpy()).max() < 1e-4, err
    print("  medusa   %-22s %6.2f MB  ONNX (numpy) vs torch %.1e, %d nodes"
          % (os.path.basename(path), os.path.getsize(path) / 1e6, err, len(model.graph.node)))
    return med


# ------------------------------------------------------------------------------------------------
# MTP
# ------------------------------------------------------------------------------------------------

class MTPExport(torch.nn.Module):
    """One MTP step in the style of the contract decoder (see docs/mtp-medusa-contract.md)."""

    def __init__(self, mtp, lm_head, cfg, embed=None):
        """embed: the target's [V, Hd] embedding when it is not tied to lm_head (the random-weight
        test-tiny target of tools/make_test_models.py); None = tied, lm_head serves both."""
        super().__init__()
        self.cfg = cfg
        P = torch.nn.Parameter
        t = lambda lin: P(lin.weight.detach().t().contiguous())  # noqa: E731
        b = mtp.block
        self.lm_head = P(lm_head.detach().clone())          # [Hd, V], also the embedding (axis 1)
        self.embed = None if embed is None else P(embed.detach().clone())
        self.hnorm, self.enorm = P(mtp.hnorm.weight.detach().clone()), P(mtp.enorm.weight.detach().clone())
        self.proj = t(mtp.proj)
        self.attn_norm, self.mlp_norm = P(b.attn_norm.weight.detach().clone()), P(b.mlp_norm.weight.detach().clone())
        self.wqkv = P(torch.cat([b.wq.weight, b.wk.weight, b.wv.weight], 0).detach().t().contiguous())
        self.wo, self.w13 = t(b.wo), P(torch.cat([b.w1.weight, b.w3.weight], 0).detach().t().contiguous())
        self.w2 = t(b.w2)
        self.final_norm = P(mtp.final_norm.weight.detach().clone())
        ref = mtm.Decoder(M.mtm_cfg(M.dataclasses.replace(cfg, layers=0)), {
            "embed": torch.zeros(1, cfg.hidden), "layers": [], "final_norm": torch.ones(cfg.hidden),
            "lm_head": torch.zeros(cfg.hidden, 1)})
        for n in ("rope_cos", "rope_sin", "rope_rot", "qk_scale"):
            self.register_buffer(n, getattr(ref, n).clone())

    def forward(self, input_ids, position_ids, hidden_states, attention_mask, past_key_0, past_value_0):
        cfg = self.cfg
        H, Hkv, D = cfg.heads, cfg.kv_heads, cfg.head_size
        G = H // Hkv
        rms, r0 = mtm.Decoder.rms, mtm.reshape0
        if self.embed is None:
            e = self.lm_head[:, input_ids].permute(1, 2, 0)  # embedding of the next token [B,T,Hd]
        else:
            e = self.embed[input_ids]
        x = torch.matmul(torch.cat([rms(hidden_states, self.hnorm), rms(e, self.enorm)], -1), self.proj)
        cos = self.rope_cos[position_ids]
        sin = self.rope_sin[position_ids]
        cos = torch.cat([cos, cos], -1).unsqueeze(2) * self.qk_scale
        sin = torch.cat([sin, sin], -1).unsqueeze(2) * self.qk_scale
        mask = torch.cat([attention_mask] * G, 2) if G > 1 else attention_mask
        h = rms(x, self.attn_norm)
        qkv = r0(torch.matmul(h, self.wqkv), 0, -1, H + 2 * Hkv, D)
        qk, v = torch.split(qkv, [H + Hkv, Hkv], dim=2)
        qk = qk * cos + torch.matmul(qk, self.rope_rot) * sin
        q, k = torch.split(qk, [H, Hkv], dim=2)
        q = r0(r0(q, 0, -1, Hkv, G, D).permute(0, 2, 3, 1, 4), 0, Hkv, -1, D)
        kt = torch.cat([past_key_0, k], 1).permute(0, 2, 3, 1)
        vv = torch.cat([past_value_0, v], 1).transpose(1, 2)
        probs = torch.softmax(torch.matmul(q, kt) + mask, dim=-1)
        o = r0(r0(torch.matmul(probs, vv), 0, Hkv, G, -1, D).permute(0, 3, 1, 2, 4), 0, -1, H * D)
        x = x + torch.matmul(o, self.wo)
        h = rms(x, self.mlp_norm)
        a, b = torch.split(torch.matmul(h, self.w13), [cfg.ffn, cfg.ffn], dim=-1)
        x = x + torch.matmul(a * torch.sigmoid(a) * b, self.w2)
        hs = rms(x, self.final_norm)
        return torch.matmul(hs, self.lm_head), hs, k, v


MTP_INS = ["input_ids", "position_ids", "hidden_states", "attention_mask", "past_key_0", "past_value_0"]
MTP_OUTS = ["logits", "hidden_states_out", "new_key_0", "new_value_0"]


def mtp_feeds(cfg, B, Tn, P, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, cfg.vocab, (B, Tn), generator=g)
    pos = torch.arange(P + 1, P + 1 + Tn).unsqueeze(0).repeat(B, 1)
    hs = torch.randn(B, Tn, cfg.hidden, generator=g)
    mask = mtm.causal_mask(B, P, Tn)
    pk = torch.randn(B, P, cfg.kv_heads, cfg.head_size, generator=g)
    pv = torch.randn(B, P, cfg.kv_heads, cfg.head_size, generator=g)
    return ids, pos, hs, mask, pk, pv


def export_mtp(ck_dir, path, mode, target_lm, target_name):
    ck = TR.load_ckpt(ck_dir)
    cfg = target_lm.cfg
    mtp = M.MTP(cfg)
    mtp.load_state_dict(ck["model"])
    mtp.eval()
    head = target_lm.embed.weight.detach().t().contiguous()
    mod = MTPExport(mtp, head, cfg).eval()
    # the export module (cached, incremental) == the training module (causal, full sequence)
    g = torch.Generator().manual_seed(8)
    n = 9
    ids = torch.randint(3, cfg.vocab, (1, n + 1), generator=g)
    with torch.no_grad():
        hs = target_lm.hidden(ids)
        full = target_lm.logits(mtp(hs[:, :n], target_lm.embed(ids[:, 1:n + 1])))
        past_k = torch.zeros(1, 0, cfg.kv_heads, cfg.head_size)
        past_v = past_k.clone()
        outs, P = [], 0
        for c in (4, 1, 4):
            sl = slice(P, P + c)
            lg, _, k, v = mod(ids[:, P + 1:P + 1 + c], torch.arange(P + 1, P + 1 + c)[None], hs[:, sl],
                              mtm.causal_mask(1, P, c), past_k, past_v)
            outs.append(lg)
            past_k, past_v = torch.cat([past_k, k], 1), torch.cat([past_v, v], 1)
            P += c
    inc_err = (torch.cat(outs, 1) - full).abs().max().item()
    assert inc_err < 1e-3, inc_err
    feeds = mtp_feeds(cfg, 2, 3, 4, 0)
    B = "batch"
    dyn = {"input_ids": {0: B, 1: "seq"}, "position_ids": {0: B, 1: "seq"}, "hidden_states": {0: B, 1: "seq"},
           "attention_mask": {0: B, 2: "seq", 3: "total"}, "past_key_0": {0: B, 1: "past"},
           "past_value_0": {0: B, 1: "past"}, "logits": {0: B, 1: "seq"}, "hidden_states_out": {0: B, 1: "seq"},
           "new_key_0": {0: B, 1: "seq"}, "new_value_0": {0: B, 1: "seq"}}
    with tempfile.TemporaryDirectory() as td:
        tmp = os.path.join(td, "m.onnx")
        with torch.no_grad():
            torch.onnx.export(mod, feeds, tmp, input_names=MTP_INS, output_names=MTP_OUTS, dynamic_axes=dyn,
                              opset_version=OPSET, do_constant_folding=True)
        model = onnx.load(tmp)
    kv = ["batch", "seq", cfg.kv_heads, cfg.head_size]
    set_output_shapes(model, {"logits": ["batch", "seq", cfg.vocab], "hidden_states_out": ["batch", "seq", cfg.hidden],
                              "new_key_0": kv, "new_value_0": kv, "hidden_states": ["batch", "seq", cfg.hidden],
                              "attention_mask": ["batch", 1, "seq", "total"],
                              "past_key_0": ["batch", "past", cfg.kv_heads, cfg.head_size],
                              "past_value_0": ["batch", "past", cfg.kv_heads, cfg.head_size]})
    model = compress(model, mode)
    finish(model, path, "DeepSeek-V3-style MTP module of %s (predicts the token after next); weights stored %s. "
                        "See docs/mtp-medusa-contract.md." % (target_name, mode),
           {"specdec.contract": "1", "specdec.role": "mtp", "specdec.name": target_name + "-mtp",
            "specdec.target": target_name, "specdec.num_layers": "1", "specdec.num_heads": str(cfg.heads),
            "specdec.num_kv_heads": str(cfg.kv_heads), "specdec.head_size": str(cfg.head_size),
            "specdec.hidden_size": str(cfg.hidden), "specdec.vocab_size": str(cfg.vocab),
            "specdec.max_positions": str(cfg.max_pos), "specdec.rope_theta": repr(float(cfg.rope_theta))})
    # numpy interpreter vs torch with the stored (rounded) weights
    rmod = MTPExport(mtp, head, cfg).eval()
    with torch.no_grad():
        for name in ("lm_head", "proj", "wqkv", "wo", "w13", "w2"):
            p = getattr(rmod, name)
            p.copy_(torch.from_numpy(round_weight(p.numpy(), mode)))
        feeds = mtp_feeds(cfg, 2, 3, 5, 6)
        want = rmod(*feeds)
    got = mtm.run_numpy(model, {n: f.numpy() for n, f in zip(MTP_INS, feeds)})
    err = max(float(np.abs(a - b.numpy()).max()) for a, b in zip(got, want))
    assert err < 1e-3, err
    print("  mtp      %-22s %6.2f MB  cached export module vs training module %.1e, ONNX (numpy) vs torch %.1e, %d nodes"
          % (os.path.basename(path), os.path.getsize(path) / 1e6, inc_err, err, len(model.graph.node)))
    return mtp, rmod


# ------------------------------------------------------------------------------------------------
# storage effect on validation metrics
# ------------------------------------------------------------------------------------------------

def storage_effect(kind, fp32_model, variants, teacher, windows, T, bpt, K=4):
    amp = lambda: torch.autocast("cpu", enabled=False)  # noqa: E731
    res = {"fp32": TR.evaluate(kind, fp32_model, teacher, windows, T, "cpu", bpt, K=K, amp=amp)}
    for mode, m in variants.items():
        res[mode] = TR.evaluate(kind, m, teacher, windows, T, "cpu", bpt, K=K, amp=amp)
    return res


class _MTPWrap(torch.nn.Module):
    """MTP with rounded weights taken from an MTPExport (for the loss measurement)."""

    def __init__(self, mtp, rmod, mode):
        super().__init__()
        import copy
        self.m = copy.deepcopy(mtp)
        with torch.no_grad():
            self.m.proj.weight.copy_(rmod.proj.t())
            q, k, v = torch.split(rmod.wqkv.t(), [self.m.block.wq.weight.shape[0], self.m.block.wk.weight.shape[0],
                                                  self.m.block.wv.weight.shape[0]], 0)
            self.m.block.wq.weight.copy_(q)
            self.m.block.wk.weight.copy_(k)
            self.m.block.wv.weight.copy_(v)
            self.m.block.wo.weight.copy_(rmod.wo.t())
            a, b = torch.split(rmod.w13.t(), [mtp.cfg.ffn, mtp.cfg.ffn], 0)
            self.m.block.w1.weight.copy_(a)
            self.m.block.w3.weight.copy_(b)
            self.m.block.w2.weight.copy_(rmod.w2.t())

    def forward(self, h, e):
        return self.m(h, e)


def write_reference(out, tcfg, tw, dcfg, dw, med, mtp, mode):
    """<work>/<name>-reference.json: inputs and torch outputs (stored weights) for CheckBundleOrt.java."""
    ids = torch.tensor([[1, 300, 301, 302, 303, 304, 305, 306]]) % tcfg.vocab
    T = ids.shape[1]
    ref = {"bundle": os.path.abspath(out), "input_ids": ids[0].tolist()}
    tgt_r = lm_with_weights(tcfg, rounded_dict(tw, mode))
    with torch.no_grad():
        for key, lm in (("target", tgt_r), ("draft", lm_with_weights(dcfg, rounded_dict(dw, mode)))):
            lg, hs = lm(ids)
            ref[key] = {"logits_last_first8": lg[0, -1, :8].tolist(), "argmax": lg[0].argmax(-1).tolist()}
        hs = tgt_r.hidden(ids)
        ref["hidden_states"] = hs[0].tolist()
        if med is not None:
            lg = medusa_rounded(med, mode)(hs)  # [K,1,T,V]
            ref["medusa"] = {"logits_last_first8": lg[:, 0, -1, :8].tolist(), "argmax": lg[:, 0].argmax(-1).tolist()}
        if mtp is not None:
            r = MTPExport(mtp, tgt_r.embed.weight.detach().t().contiguous(), tcfg).eval()
            for nme in ("lm_head", "proj", "wqkv", "wo", "w13", "w2"):
                p = getattr(r, nme)
                p.copy_(torch.from_numpy(round_weight(p.numpy(), mode)))
            past = torch.zeros(1, 0, tcfg.kv_heads, tcfg.head_size)
            lg, _, _, _ = r(ids[:, 1:], torch.arange(1, T)[None], hs[:, :T - 1], mtm.causal_mask(1, 0, T - 1), past, past)
            ref["mtp"] = {"logits_last_first8": lg[0, -1, :8].tolist(), "argmax": lg[0].argmax(-1).tolist()}
    name = os.path.basename(os.path.normpath(out))
    with open(os.path.join(TR.WORK, name + "-reference.json"), "w") as f:
        json.dump(ref, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="bundle directory, e.g. models/specdec-java")
    ap.add_argument("--name", help="bundle name (default: basename of --out)")
    ap.add_argument("--target", required=True)
    ap.add_argument("--draft", required=True)
    ap.add_argument("--medusa")
    ap.add_argument("--mtp")
    ap.add_argument("--tokenizer", default=os.path.join(TR.WORK, "tokenizer"))
    ap.add_argument("--data", default=os.path.join(TR.WORK, "data"))
    ap.add_argument("--weights", default="int8", choices=["int8", "fp16", "fp32"])
    ap.add_argument("--eval-tokens", type=float, default=262144, help="validation tokens for the storage comparison (0 = skip)")
    ap.add_argument("--eval-seq", type=int, default=0, help="window length for the comparison (default: the target's max_pos)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--attention", choices=["inplace", "exact", "concat"],
                    help="decoder attention graph (tools/onnx_llama.build; docs/performance.md): inplace reads the "
                         "cache where it lies; exact also concatenates the past values so chain passes equal "
                         "single-token passes bit for bit; concat is the graph before both. Default: inplace up "
                         "to 2 KV heads, concat above (onnx_llama.default_attention)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    name = a.name or os.path.basename(os.path.normpath(a.out))
    os.makedirs(a.out, exist_ok=True)
    print("exporting to %s (weights %s)" % (a.out, a.weights))
    tgt, tcfg, tw = export_decoder(a.target, os.path.join(a.out, "target.onnx"), a.weights, "target", a.attention)
    drf, dcfg, dw = export_decoder(a.draft, os.path.join(a.out, "draft.onnx"), a.weights, "draft", a.attention)
    assert tcfg.vocab == dcfg.vocab
    shutil.copyfile(os.path.join(a.tokenizer, "tokenizer.json"), os.path.join(a.out, "tokenizer.json"))
    manifest = {"format": "specdec-bundle/1", "name": name,
                "description": "Java-code language models trained on the JDK 17 sources: Llama-style target "
                               "(%.1fM parameters) and draft (%.1fM), %s" % (
                                   tgt.num_params() / 1e6, drf.num_params() / 1e6,
                                   "Medusa heads and an MTP module; see README.md." if a.medusa else "see README.md."),
                "tokenizer": "tokenizer.json", "target": "target.onnx", "draft": "draft.onnx"}
    for t in tgt.parameters():
        t.requires_grad_(False)
    med = mtp = None
    if a.medusa:
        med = export_medusa(a.medusa, os.path.join(a.out, "medusa.onnx"), a.weights, tcfg.name)
        manifest["medusa"] = "medusa.onnx"
    if a.mtp:
        mtp, rmod = export_mtp(a.mtp, os.path.join(a.out, "mtp.onnx"), a.weights, tgt, tcfg.name)
        manifest["mtp"] = "mtp.onnx"
    manifest["generation"] = {"maxNewTokens": 128, "temperature": 0.0, "topK": 0, "topP": 1.0, "draftTokens": 4}
    with open(os.path.join(a.out, "specdec.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    report = {"weights": a.weights, "name": name, "params": {"target": tgt.num_params(), "draft": drf.num_params()},
              "cfg": {"target": M.dataclasses.asdict(tcfg), "draft": M.dataclasses.asdict(dcfg)}, "eval": {}}
    if med is not None:
        report["params"]["medusa"] = sum(p.numel() for p in med.parameters())
    if mtp is not None:
        report["params"]["mtp"] = sum(p.numel() for p in mtp.parameters())
    if a.eval_tokens:
        T = a.eval_seq or tcfg.max_pos - 1 - (med.K if med is not None else 1)
        valid, vmeta = TR.ensure_tokens(a.data, a.tokenizer, "valid")
        bpt = vmeta["bytes"] / vmeta["predicted_tokens"]
        report["eval_windows"] = {"seq": T, "tokens": int(a.eval_tokens), "valid_tokens_total": vmeta["tokens"],
                                  "bytes_per_token": bpt}
        win = TR.valid_windows(valid, T + 2 + (med.K if med is not None else 1), a.eval_tokens, stride=T)
        modes = ["fp16", "int8"]
        tgt_r = {m: lm_with_weights(tcfg, rounded_dict(tw, m)) for m in modes}
        report["eval"]["target"] = storage_effect("target", tgt, tgt_r, None, win, T, bpt)
        report["eval"]["draft"] = storage_effect("draft", drf, {m: lm_with_weights(dcfg, rounded_dict(dw, m)) for m in modes},
                                                 tgt, win, T, bpt)
        stored_t = tgt_r[a.weights] if a.weights != "fp32" else tgt
        for k in ("target", "draft"):
            print("  %-6s valid: %s" % (k, {m: (r["loss"], round(r["bpb"], 4)) for m, r in report["eval"][k].items()}))
        if med is not None:
            class _Med(torch.nn.Module):
                def __init__(s, em):
                    super().__init__()
                    s.em, s.K = em, em.K

                def forward(s, h):
                    return s.em(h)

                def head_logits(s, h):
                    return list(s.em(h))
            report["eval"]["medusa"] = storage_effect("medusa", med, {m: _Med(medusa_rounded(med, m)) for m in modes},
                                                      tgt, win, T, bpt, K=med.K)
            report["eval"]["medusa_on_stored_target"] = TR.evaluate("medusa", _Med(medusa_rounded(med, a.weights)), stored_t,
                                                                    win, T, "cpu", bpt, K=med.K, amp=lambda: torch.autocast("cpu", enabled=False))
        if mtp is not None:
            variants = {}
            for m in modes:
                r = MTPExport(mtp, tgt.embed.weight.detach().t().contiguous(), tcfg).eval()
                with torch.no_grad():
                    for nme in ("proj", "wqkv", "wo", "w13", "w2"):
                        p = getattr(r, nme)
                        p.copy_(torch.from_numpy(round_weight(p.numpy(), m)))
                variants[m] = _MTPWrap(mtp, r, m)
            report["eval"]["mtp"] = storage_effect("mtp", mtp, variants, tgt, win, T, bpt)
    write_reference(a.out, tcfg, tw, dcfg, dw, med, mtp, a.weights)
    with open(os.path.join(TR.WORK, name + "-export.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("wrote %s and %s" % (a.out, os.path.join(TR.WORK, name + "-export.json")))


if __name__ == "__main__":
    main()
