#!/usr/bin/env python3
"""Runs both importers on a llama2.c checkpoint for the Java import tests (eval's
ImportedCheckpointsTest). Writes under OUT_DIR (never into the repository):

  legacy/       the checkpoint as given (legacy header), imported by import_llama2c.py
  v1/           the same weights rewritten with the version-1 header, imported again
  hf-checkpoint/  the same model as a Hugging Face checkpoint: config.json,
                generation_config.json, model.safetensors (q/k permuted to rotate-half as HF's
                convert script does), tokenizer.json, and medusa_lm_head.safetensors with two
                seeded random Medusa heads in the FasterDecoding layout
  hf/           hf-checkpoint imported by import_hf_llama.py (with medusa.onnx)

The three target.onnx files must give the same logits (checked in Java). The Medusa graph is
checked here against numpy with a small interpreter for its few operators.

Usage: make_import_fixtures.py CHECKPOINT.bin TOKENIZER.bin OUT_DIR
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import import_hf_llama  # noqa: E402
import import_llama2c  # noqa: E402
import onnx_llama  # noqa: E402
import safetensors_io  # noqa: E402


def write_hf_checkpoint(out, cfg, w, tokenizer_json, seed=5):
    os.makedirs(out, exist_ok=True)
    t = {"model.embed_tokens.weight": w["embed"], "model.norm.weight": w["final_norm"],
         "lm_head.weight": np.ascontiguousarray(w["lm_head"].T)}
    names = {"attn_norm": "input_layernorm", "mlp_norm": "post_attention_layernorm",
             "wq": "self_attn.q_proj", "wk": "self_attn.k_proj", "wv": "self_attn.v_proj",
             "wo": "self_attn.o_proj", "w1": "mlp.gate_proj", "w3": "mlp.up_proj",
             "w2": "mlp.down_proj"}
    for i, lw in enumerate(w["layers"]):
        for k, hf in names.items():
            v = lw[k] if k.endswith("norm") else np.ascontiguousarray(lw[k].T)
            t["model.layers.%d.%s.weight" % (i, hf)] = np.asarray(v, np.float32)
    safetensors_io.write(os.path.join(out, "model.safetensors"), t, {"format": "pt"})
    config = onnx_llama.hf_config(cfg)
    config["_name_or_path"] = cfg.name + "-hf"
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": cfg.bos, "eos_token_id": [cfg.eos]}, f)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False)
    rs = np.random.RandomState(seed)
    medusa = {}
    for k in range(2):
        medusa["%d.0.linear.weight" % k] = (rs.standard_normal((cfg.hidden, cfg.hidden)) * 0.1).astype(np.float32)
        medusa["%d.0.linear.bias" % k] = (rs.standard_normal(cfg.hidden) * 0.1).astype(np.float32)
        medusa["%d.1.weight" % k] = np.ascontiguousarray(w["lm_head"].T)
    safetensors_io.write(os.path.join(out, "medusa_lm_head.safetensors"), medusa)
    return medusa


def run_graph(model, feeds):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    ops = {"MatMul": lambda a, b: a @ b, "Add": lambda a, b: a + b, "Mul": lambda a, b: a * b,
           "Sigmoid": lambda a: 1 / (1 + np.exp(-a))}
    for n in model.graph.node:
        args = [env[x] for x in n.input]
        if n.op_type == "Unsqueeze":
            env[n.output[0]] = np.expand_dims(args[0], tuple(int(a) for a in args[1]))
        elif n.op_type == "Concat":
            env[n.output[0]] = np.concatenate(args, axis=n.attribute[0].i)
        else:
            env[n.output[0]] = ops[n.op_type](*args)
    return env[model.graph.output[0].name]


def check_medusa(path, medusa, hidden):
    model = onnx.load(path)
    rs = np.random.RandomState(1)
    h = rs.standard_normal((1, 3, hidden)).astype(np.float32)
    got = run_graph(model, {"hidden_states": h})
    for k in range(2):
        pre = h @ medusa["%d.0.linear.weight" % k].T + medusa["%d.0.linear.bias" % k]
        want = (h + pre / (1 + np.exp(-pre))) @ medusa["%d.1.weight" % k].T
        err = float(np.abs(got[k] - want).max())
        assert err < 1e-4, ("medusa head", k, err)
    print("  medusa.onnx: %d heads, logits %s, matches numpy" % (got.shape[0], got.shape))


def check_safetensors(out):
    """Round trip of other dtypes than the F32 the checkpoint uses, and a BF16 file written by
    hand (numpy has no bfloat16): BF16 is the usual dtype of published Llama checkpoints."""
    rs = np.random.RandomState(3)
    tensors = {"f16": rs.standard_normal((3, 5)).astype(np.float16),
               "i64": np.arange(7, dtype=np.int64), "f32": rs.standard_normal(4).astype(np.float32)}
    path = os.path.join(out, "dtypes.safetensors")
    safetensors_io.write(path, tensors, {"k": "v"})
    back, meta = safetensors_io.read(path)
    assert meta == {"k": "v"}, meta
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and np.array_equal(back[k], v), k
    exact = np.array([1.0, -2.5, 3.140625, 0.0], np.float32)  # representable in bfloat16
    raw = (exact.view(np.uint32) >> 16).astype("<u2").tobytes()
    header = json.dumps({"w": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, len(raw)]}})
    header = header.encode() + b" " * (-len(header) % 8)
    bf16 = os.path.join(out, "bf16.safetensors")
    with open(bf16, "wb") as f:
        f.write(len(header).to_bytes(8, "little") + header + raw)
    got = safetensors_io.read(bf16)[0]["w"]
    assert got.dtype == np.float32 and np.array_equal(got.reshape(-1), exact), got
    print("  safetensors: F16/I64/F32 round trip and BF16 read ok")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    ckpt, tok, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    check_safetensors(out)
    import_llama2c.main([ckpt, tok, os.path.join(out, "legacy"), "--name", "stories260K"])
    p, raw = import_llama2c.read_checkpoint(ckpt)
    v1 = os.path.join(out, "stories-v1.bin")
    import_llama2c.write_checkpoint(v1, p, raw, "v1")
    import_llama2c.main([v1, tok, os.path.join(out, "v1"), "--name", "stories260K-v1"])
    cfg, w = import_llama2c.to_llama(p, raw, "stories260K")
    tokenizer_json = import_llama2c.sp_json.pieces_to_hf_json(
        import_llama2c.read_tokenizer(tok, p["vocab"]))
    hf = os.path.join(out, "hf-checkpoint")
    medusa = write_hf_checkpoint(hf, cfg, w, tokenizer_json)
    back, _ = safetensors_io.read(os.path.join(hf, "model.safetensors"))
    assert np.array_equal(back["model.layers.0.self_attn.q_proj.weight"], w["layers"][0]["wq"].T)
    import_hf_llama.main([hf, os.path.join(out, "hf"), "--medusa",
                          os.path.join(hf, "medusa_lm_head.safetensors")])
    check_medusa(os.path.join(out, "hf", "medusa.onnx"), medusa, cfg.hidden)


if __name__ == "__main__":
    main()
