#!/usr/bin/env python3
"""Imports a Hugging Face Llama-family checkpoint into a specdec bundle (target.onnx in the specdec
model contract v1, tokenizer.json, specdec.json), optionally with Medusa heads. Needs numpy + onnx
only (no torch, transformers or safetensors packages: tools/safetensors_io.py reads the weights).

Input directory: config.json (model_type llama / mistral / qwen2-style without biases: hidden_size,
intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
max_position_embeddings, rms_norm_eps, rope_theta, bos/eos_token_id, tie_word_embeddings),
model.safetensors or model.safetensors.index.json + shards, and usually tokenizer.json (copied;
give --tokenizer otherwise). Weight names as transformers' LlamaForCausalLM:
model.embed_tokens.weight, model.layers.{i}.{input_layernorm,post_attention_layernorm}.weight,
model.layers.{i}.self_attn.{q,k,v,o}_proj.weight, model.layers.{i}.mlp.{gate,up,down}_proj.weight,
model.norm.weight, lm_head.weight (absent when tied). Linear weights are [out, in]; q/k are
already in rotate-half order (HF's convert script permutes Meta's interleaved weights).

Medusa heads (--medusa FILE): the FasterDecoding/Medusa layout, medusa_lm_head.safetensors with
"{k}.{j}.linear.weight" [Hd, Hd] / ".bias" [Hd] for each ResBlock j of head k, then "{k}.{L}.weight"
[V, Hd] (the head's LM head); written as medusa.onnx per docs/mtp-medusa-contract.md. A .pt file
needs torch: convert it to safetensors first.

Usage: import_hf_llama.py CHECKPOINT_DIR OUT_DIR [--tokenizer FILE] [--medusa FILE] [--name NAME]
"""

import argparse
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import import_llama2c  # noqa: E402
import onnx_llama  # noqa: E402
import safetensors_io  # noqa: E402

SUPPORTED_TYPES = ("llama", "mistral")


def read_config(ckpt):
    path = os.path.join(ckpt, "config.json")
    if not os.path.isfile(path):
        raise SystemExit("error: %s not found: a Hugging Face checkpoint directory needs its "
                         "config.json" % path)
    with open(path, encoding="utf-8") as f:
        c = json.load(f)
    gen = {}
    gpath = os.path.join(ckpt, "generation_config.json")
    if os.path.isfile(gpath):
        with open(gpath, encoding="utf-8") as f:
            gen = json.load(f)
    if c.get("model_type", "llama") not in SUPPORTED_TYPES:
        raise SystemExit("error: %s: model_type %r is not supported (supported: %s)"
                         % (path, c.get("model_type"), ", ".join(SUPPORTED_TYPES)))
    if c.get("rope_scaling"):
        raise SystemExit("error: %s: rope_scaling %r is not supported (plain RoPE only)"
                         % (path, c["rope_scaling"]))
    for key in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                "vocab_size", "max_position_embeddings"):
        if key not in c:
            raise SystemExit("error: %s lacks %r" % (path, key))

    def token(key):
        v = gen.get(key, c.get(key))
        if isinstance(v, list):
            v = v[0] if v else None
        if v is None:
            raise SystemExit("error: %r is in neither config.json nor generation_config.json of %s"
                             % (key, ckpt))
        return int(v)

    heads = c["num_attention_heads"]
    if c.get("head_dim", c["hidden_size"] // heads) * heads != c["hidden_size"]:
        raise SystemExit("error: %s: head_dim * heads != hidden_size is not supported" % path)
    return c, dict(vocab=c["vocab_size"], hidden=c["hidden_size"], layers=c["num_hidden_layers"],
                   heads=heads, kv_heads=c.get("num_key_value_heads", heads),
                   ffn=c["intermediate_size"], max_pos=c["max_position_embeddings"],
                   bos=token("bos_token_id"), eos=token("eos_token_id"),
                   rope_theta=float(c.get("rope_theta", 10000.0)),
                   norm_eps=float(c.get("rms_norm_eps", 1e-6)))


def read_weights(ckpt):
    single = os.path.join(ckpt, "model.safetensors")
    index = os.path.join(ckpt, "model.safetensors.index.json")
    if os.path.isfile(single):
        return safetensors_io.read(single)[0]
    if os.path.isfile(index):
        with open(index, encoding="utf-8") as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        out = {}
        for name in files:
            out.update(safetensors_io.read(os.path.join(ckpt, name))[0])
        return out
    raise SystemExit("error: %s holds neither model.safetensors nor model.safetensors.index.json "
                     "(PyTorch .bin checkpoints need torch: save them as safetensors first)" % ckpt)


def to_llama(cfg, tensors, tied):
    def get(name):
        if name not in tensors:
            raise SystemExit("error: weight %r missing from the checkpoint (have e.g. %s)"
                             % (name, sorted(tensors)[:5]))
        return np.asarray(tensors[name], np.float32)

    layers = []
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        extra = [k for k in tensors if k.startswith(p) and k.endswith(".bias")]
        if extra:
            raise SystemExit("error: biases %s are not supported (Llama has none)" % extra[:3])
        layers.append({
            "attn_norm": get(p + "input_layernorm.weight"),
            "mlp_norm": get(p + "post_attention_layernorm.weight"),
            "wq": get(p + "self_attn.q_proj.weight").T, "wk": get(p + "self_attn.k_proj.weight").T,
            "wv": get(p + "self_attn.v_proj.weight").T, "wo": get(p + "self_attn.o_proj.weight").T,
            "w1": get(p + "mlp.gate_proj.weight").T, "w3": get(p + "mlp.up_proj.weight").T,
            "w2": get(p + "mlp.down_proj.weight").T,
        })
    embed = get("model.embed_tokens.weight")
    head = embed if tied or "lm_head.weight" not in tensors else get("lm_head.weight")
    return {"embed": embed, "layers": layers, "final_norm": get("model.norm.weight"),
            "lm_head": np.ascontiguousarray(head.T)}


def medusa_model(path, cfg, target_name):
    if not path.endswith(".safetensors"):
        raise SystemExit("error: %s: Medusa heads must be a .safetensors file (a .pt file needs "
                         "torch: load it and save_file(state_dict) once)" % path)
    t = safetensors_io.read(path)[0]
    heads = sorted({int(k.split(".")[0]) for k in t})
    if heads != list(range(len(heads))) or not heads:
        raise SystemExit("error: %s: expected keys '{k}.{j}.linear.weight' for heads k = 0..K-1, "
                         "found %s" % (path, sorted(t)[:6]))
    Hd, V = cfg.hidden, cfg.vocab
    nodes, inits, outs = [], [], []
    for k in heads:
        blocks = sorted({int(n.split(".")[1]) for n in t if n.startswith("%d." % k)})
        last = blocks[-1]
        x = "hidden_states"
        for j in blocks[:-1]:
            w = np.asarray(t["%d.%d.linear.weight" % (k, j)], np.float32)
            b = np.asarray(t["%d.%d.linear.bias" % (k, j)], np.float32)
            if w.shape != (Hd, Hd):
                raise SystemExit("error: %s: head %d block %d weight %s, expected %s"
                                 % (path, k, j, w.shape, (Hd, Hd)))
            wn, bn = "h%d_b%d_w" % (k, j), "h%d_b%d_b" % (k, j)
            inits += [numpy_helper.from_array(np.ascontiguousarray(w.T), wn),
                      numpy_helper.from_array(b, bn)]
            pre = "h%d_b%d_pre" % (k, j)
            nodes += [helper.make_node("MatMul", [x, wn], [pre + "m"]),
                      helper.make_node("Add", [pre + "m", bn], [pre]),
                      helper.make_node("Sigmoid", [pre], [pre + "s"]),
                      helper.make_node("Mul", [pre, pre + "s"], [pre + "silu"]),
                      helper.make_node("Add", [x, pre + "silu"], ["h%d_b%d" % (k, j)])]
            x = "h%d_b%d" % (k, j)
        u = np.asarray(t["%d.%d.weight" % (k, last)], np.float32)
        if u.shape != (V, Hd):
            raise SystemExit("error: %s: head %d LM head %s, expected %s" % (path, k, u.shape, (V, Hd)))
        inits.append(numpy_helper.from_array(np.ascontiguousarray(u.T), "h%d_lm" % k))
        nodes += [helper.make_node("MatMul", [x, "h%d_lm" % k], ["h%d_logits" % k]),
                  helper.make_node("Unsqueeze", ["h%d_logits" % k, "axis0"], ["h%d_out" % k])]
        outs.append("h%d_out" % k)
    inits.append(numpy_helper.from_array(np.array([0], np.int64), "axis0"))
    nodes.append(helper.make_node("Concat", outs, ["logits"], axis=0))
    graph = helper.make_graph(
        nodes, "medusa",
        [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, ["batch", "seq", Hd])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [len(heads), "batch", "seq", V])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_llama.OPSET)],
                              producer_name="specdec tools/import_hf_llama.py")
    model.ir_version = 8
    helper.set_model_props(model, {
        "specdec.contract": "1", "specdec.role": "medusa", "specdec.name": target_name + "-medusa",
        "specdec.target": target_name, "specdec.medusa_heads": str(len(heads)),
        "specdec.hidden_size": str(Hd), "specdec.vocab_size": str(V)})
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--tokenizer", help="tokenizer.json (default: the checkpoint's)")
    ap.add_argument("--medusa", help="Medusa heads, FasterDecoding layout (.safetensors)")
    ap.add_argument("--name")
    a = ap.parse_args(argv)
    raw_cfg, p = read_config(a.checkpoint)
    name = a.name or raw_cfg.get("_name_or_path") or os.path.basename(os.path.normpath(a.checkpoint))
    cfg = onnx_llama.LlamaConfig(name=name, **p)
    w = to_llama(cfg, read_weights(a.checkpoint), bool(raw_cfg.get("tie_word_embeddings", False)))
    tok = a.tokenizer or os.path.join(a.checkpoint, "tokenizer.json")
    if not os.path.isfile(tok):
        raise SystemExit("error: no tokenizer.json in %s: pass --tokenizer FILE" % a.checkpoint)
    with open(tok, encoding="utf-8") as f:
        tokenizer_json = json.load(f)
    desc = "Hugging Face checkpoint %s imported by tools/import_hf_llama.py" % name
    import_llama2c.write_bundle(a.out, cfg, w, tokenizer_json, desc, "import_hf_llama.py")
    if a.medusa:
        onnx.save(medusa_model(a.medusa, cfg, name), os.path.join(a.out, "medusa.onnx"))
        manifest_path = os.path.join(a.out, "specdec.json")
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
        manifest["medusa"] = "medusa.onnx"
        with open(manifest_path, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
    print("%s: %d layers, hidden %d, %d heads (%d kv), vocab %d, context %d%s -> %s"
          % (name, cfg.layers, cfg.hidden, cfg.heads, cfg.kv_heads, cfg.vocab, cfg.max_pos,
             ", Medusa heads" if a.medusa else "", a.out))


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError) as e:  # bad input: one line saying what, not a traceback
        raise SystemExit("error: %s" % e)
