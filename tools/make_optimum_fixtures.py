#!/usr/bin/env python3
"""Writes testdata/optimum-tiny/: a tiny random-weight target and draft in exactly Hugging Face
Optimum's decoder layout, the same target in the specdec contract layout, and one unsupported
model. Deterministic (seeded numpy); needs only numpy + onnx.

  testdata/optimum-tiny/target/model.onnx        Optimum layout, 2 layers (+ config.json,
                                                 generation_config.json, tokenizer.json)
  testdata/optimum-tiny/draft/decoder_model_merged.onnx
                                                 Optimum layout as a merged export (with the
                                                 use_cache_branch input), 1 layer: the target's
                                                 first layer, embedding and head
  testdata/optimum-tiny/target-specdec.onnx      the target's weights in the specdec contract
  testdata/optimum-tiny/no-cache.onnx            input_ids + attention_mask -> logits: no cache,
                                                 neither layout (must be rejected)
  testdata/optimum-tiny/reference.json           a prompt, naive numpy logits of the target at
                                                 every position, and its greedy continuation

Vocabulary 512 so that models/test-tiny/tokenizer.json (copied) fits.

Usage: /usr/bin/python3 tools/make_optimum_fixtures.py [OUT_DIR]
"""

import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_llama  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = onnx_llama.LlamaConfig(name="optimum-tiny-target", vocab=512, hidden=32, layers=2, heads=4,
                                kv_heads=2, ffn=64, max_pos=128)
DRAFT = onnx_llama.LlamaConfig(name="optimum-tiny-draft", vocab=512, hidden=32, layers=1, heads=4,
                               kv_heads=2, ffn=64, max_pos=128)
ALPHA = 0.3  # scales the target's extra layer: the draft agrees often but not always
PROMPT = [1, 40, 41, 42, 43, 44]
GREEDY_STEPS = 24


def weights(seed=7):
    rs = np.random.RandomState(seed)
    c = TARGET
    Hd, H, Hkv, D, F = c.hidden, c.heads, c.kv_heads, c.head_size, c.ffn

    def rnd(*shape, std):
        return (rs.standard_normal(shape) * std).astype(np.float32)

    def layer():
        return {"attn_norm": 1.0 + rnd(Hd, std=0.1),
                "wq": rnd(Hd, H * D, std=Hd ** -0.5), "wk": rnd(Hd, Hkv * D, std=Hd ** -0.5),
                "wv": rnd(Hd, Hkv * D, std=Hd ** -0.5), "wo": rnd(H * D, Hd, std=(H * D) ** -0.5),
                "mlp_norm": 1.0 + rnd(Hd, std=0.1), "w1": rnd(Hd, F, std=Hd ** -0.5),
                "w3": rnd(Hd, F, std=Hd ** -0.5), "w2": rnd(F, Hd, std=F ** -0.5)}

    shared = {"embed": rnd(c.vocab, Hd, std=1.0), "final_norm": 1.0 + rnd(Hd, std=0.1),
              "lm_head": rnd(Hd, c.vocab, std=4.0 / Hd ** 0.5)}
    shared["lm_head"][:, [0, 1]] = 0.0  # <unk> and <s>: never the greedy choice
    first, second = layer(), layer()
    second["wo"] = second["wo"] * ALPHA
    second["w2"] = second["w2"] * ALPHA
    return dict(shared, layers=[first, second]), dict(shared, layers=[first])


def save(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def optimum_dir(out, sub, cfg, w, tokenizer, merged=False):
    d = os.path.join(out, sub)
    doc = "Tiny random-weight Llama decoder in Hugging Face Optimum's layout, for specdec tests."
    save(onnx_llama.build(cfg, w, "optimum", producer="specdec tools/make_optimum_fixtures.py",
                          doc=doc, merged=merged),
         os.path.join(d, "decoder_model_merged.onnx" if merged else "model.onnx"))
    write_json(os.path.join(d, "config.json"), onnx_llama.hf_config(cfg))
    write_json(os.path.join(d, "generation_config.json"),
               {"bos_token_id": cfg.bos, "eos_token_id": cfg.eos, "max_length": cfg.max_pos})
    if tokenizer:
        shutil.copyfile(tokenizer, os.path.join(d, "tokenizer.json"))


def no_cache_model():
    """input_ids, attention_mask -> logits: a decoder without a KV cache (GPT-2 'without past')."""
    emb = numpy_helper.from_array(np.zeros((512, 8), np.float32), "embed")
    head = numpy_helper.from_array(np.zeros((8, 512), np.float32), "head")
    nodes = [helper.make_node("Gather", ["embed", "input_ids"], ["x"]),
             helper.make_node("MatMul", ["x", "head"], ["logits"])]
    graph = helper.make_graph(
        nodes, "no-cache",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "sequence_length"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", 512])],
        [emb, head])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_llama.OPSET)],
                              producer_name="specdec tools/make_optimum_fixtures.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "testdata", "optimum-tiny")
    tokenizer = os.path.join(ROOT, "models", "test-tiny", "tokenizer.json")
    tw, dw = weights()
    optimum_dir(out, "target", TARGET, tw, tokenizer)
    optimum_dir(out, "draft", DRAFT, dw, None, merged=True)
    save(onnx_llama.build(TARGET, tw, "specdec", producer="specdec tools/make_optimum_fixtures.py",
                          doc="optimum-tiny's target in the specdec contract layout"),
         os.path.join(out, "target-specdec.onnx"))
    save(no_cache_model(), os.path.join(out, "no-cache.onnx"))

    logits = onnx_llama.reference_logits(TARGET, tw, PROMPT)
    seq = list(PROMPT)
    for _ in range(GREEDY_STEPS):
        seq.append(int(np.argmax(onnx_llama.reference_logits(TARGET, tw, seq)[-1])))
    agree = 0
    for t in range(len(PROMPT), len(seq)):
        d = onnx_llama.reference_logits(DRAFT, dw, seq[:t])[-1]
        agree += int(np.argmax(d)) == seq[t]
    write_json(os.path.join(out, "reference.json"), {
        "comment": "naive numpy reference (tools/onnx_llama.reference_logits) of target/model.onnx",
        "prompt": PROMPT,
        "prompt_logits": [[round(float(v), 6) for v in row] for row in logits],
        "greedy": seq[len(PROMPT):],
        "draft_greedy_agreement": agree / GREEDY_STEPS,
    })
    print("wrote %s; draft agrees with the target's greedy token %.2f of the time"
          % (out, agree / GREEDY_STEPS))


if __name__ == "__main__":
    main()
