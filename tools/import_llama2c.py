#!/usr/bin/env python3
"""Imports a llama2.c checkpoint (karpathy/llama2.c run.c format) into a specdec bundle:
target.onnx (specdec model contract v1), tokenizer.json and specdec.json. Needs numpy + onnx only.

Checkpoint formats (both read):
  legacy  header of 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
          seq_len; vocab_size < 0 means an unshared classifier), then fp32: token embedding,
          attention norms, wq, wk, wv, wo, ffn norms, w1, w2, w3, final norm, freq_cis_real and
          freq_cis_imag [seq_len, head_size/2] (ignored), classifier if unshared.
  v1      uint32 magic 0x616b3432 ("ak42"), int32 version 1, the 7 int32 above, uint8
          shared_classifier, zero padding to 256 bytes, then fp32: attention norms, ffn norms,
          final norm, token embedding, wq, wk, wv, wo, w1, w2, w3, classifier if unshared.
Linear weights are stored [out, in] (PyTorch). llama2.c applies RoPE to interleaved pairs
(2i, 2i+1); the importer reorders wq/wk columns to the rotate-half pairing the specdec exporter uses
(onnx_llama.interleaved_to_rotate_half), which leaves every attention score unchanged.

Tokenizer (tokenizer.bin): int32 max_token_length, then per token float32 score, int32 length,
bytes. llama2.c stores "\u2581" as a space and BOS/EOS as "\n<s>\n" / "\n</s>\n".

Usage: import_llama2c.py CHECKPOINT.bin TOKENIZER.bin OUT_DIR [--name NAME] [--bos 1] [--eos 2]
"""

import argparse
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx  # noqa: E402
import onnx_llama  # noqa: E402
import sp_json  # noqa: E402

MAGIC = 0x616B3432
V1_HEADER = 256


def read_checkpoint(path):
    """Returns (params dict, raw weights dict in llama2.c naming, [out, in], interleaved RoPE)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 28:
        raise ValueError("%s: %d bytes is too short for a llama2.c checkpoint" % (path, len(data)))
    (magic,) = struct.unpack("<I", data[:4])
    if magic == MAGIC:
        (version,) = struct.unpack("<i", data[4:8])
        if version != 1:
            raise ValueError("%s: llama2.c checkpoint version %d is not supported (fp32 legacy and "
                             "version 1 are; version 2 is int8-quantized)" % (path, version))
        dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack("<7i", data[8:36])
        shared = bool(data[36])
        offset, fmt = V1_HEADER, "v1"
    else:
        dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack("<7i", data[:28])
        shared = vocab > 0
        vocab = abs(vocab)
        offset, fmt = 28, "legacy"
    p = dict(dim=dim, hidden=hidden, layers=layers, heads=heads, kv_heads=kv_heads, vocab=vocab,
             seq_len=seq, shared=shared, format=fmt)
    for k in ("dim", "hidden", "layers", "heads", "kv_heads", "vocab", "seq_len"):
        if p[k] <= 0 or p[k] > 1 << 20:
            raise ValueError("%s: implausible header value %s=%d (not a llama2.c checkpoint?)"
                             % (path, k, p[k]))
    floats = np.frombuffer(data, "<f4", offset=offset, count=(len(data) - offset) // 4)
    hs = dim // heads
    kv = kv_heads * hs
    shapes = {
        "tok_embeddings": (vocab, dim), "attention_norm": (layers, dim), "ffn_norm": (layers, dim),
        "norm": (dim,), "wq": (layers, dim, dim), "wk": (layers, kv, dim), "wv": (layers, kv, dim),
        "wo": (layers, dim, dim), "w1": (layers, hidden, dim), "w2": (layers, dim, hidden),
        "w3": (layers, hidden, dim), "freq_cis_real": (seq, hs // 2), "freq_cis_imag": (seq, hs // 2),
        "output": (vocab, dim),
    }
    order = (["tok_embeddings", "attention_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w1", "w2",
              "w3", "norm", "freq_cis_real", "freq_cis_imag"] if fmt == "legacy" else
             ["attention_norm", "ffn_norm", "norm", "tok_embeddings", "wq", "wk", "wv", "wo", "w1",
              "w2", "w3"])
    if not shared:
        order.append("output")
    need = sum(int(np.prod(shapes[k])) for k in order)
    if floats.size != need:
        raise ValueError("%s: %s header (dim %d, hidden %d, layers %d, heads %d, kv heads %d, vocab "
                         "%d, seq %d, %s classifier) needs %d floats of weights, file has %d"
                         % (path, fmt, dim, hidden, layers, heads, kv_heads, vocab, seq,
                            "shared" if shared else "own", need, floats.size))
    raw, pos = {}, 0
    for k in order:
        n = int(np.prod(shapes[k]))
        raw[k] = floats[pos:pos + n].reshape(shapes[k]).copy()
        pos += n
    raw.pop("freq_cis_real", None)
    raw.pop("freq_cis_imag", None)
    if shared:
        raw["output"] = raw["tok_embeddings"]
    return p, raw


def write_checkpoint(path, p, raw, fmt):
    """Writes raw weights (read_checkpoint's naming) as a legacy or v1 checkpoint. For tests."""
    dim, heads, seq = p["dim"], p["heads"], p["seq_len"]
    head = (p["dim"], p["hidden"], p["layers"], p["heads"], p["kv_heads"])
    shared = p["shared"]
    with open(path, "wb") as f:
        if fmt == "legacy":
            f.write(struct.pack("<7i", *head, p["vocab"] if shared else -p["vocab"], seq))
            hs = dim // heads
            inv = 1.0 / (10000.0 ** (np.arange(0, hs, 2)[: hs // 2] / hs))
            ang = np.outer(np.arange(seq), inv)
            order = ["tok_embeddings", "attention_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w1",
                     "w2", "w3", "norm"]
            tables = [np.cos(ang), np.sin(ang)]
        elif fmt == "v1":
            h = struct.pack("<Ii7iB", MAGIC, 1, *head, p["vocab"], seq, int(shared))
            f.write(h + b"\0" * (V1_HEADER - len(h)))
            order = ["attention_norm", "ffn_norm", "norm", "tok_embeddings", "wq", "wk", "wv", "wo",
                     "w1", "w2", "w3"]
            tables = []
        else:
            raise ValueError("format must be legacy or v1, was %r" % fmt)
        for k in order:
            f.write(np.asarray(raw[k], "<f4").tobytes())
        for t in tables:
            f.write(np.asarray(t, "<f4").tobytes())
        if not shared:
            f.write(np.asarray(raw["output"], "<f4").tobytes())


def to_llama(p, raw, name, bos=1, eos=2):
    """(onnx_llama.LlamaConfig, weights [in, out], rotate-half q/k) from llama2.c raw weights."""
    cfg = onnx_llama.LlamaConfig(name=name, vocab=p["vocab"], hidden=p["dim"], layers=p["layers"],
                                 heads=p["heads"], kv_heads=p["kv_heads"], ffn=p["hidden"],
                                 max_pos=p["seq_len"], bos=bos, eos=eos)
    layers = []
    for i in range(p["layers"]):
        layers.append({
            "attn_norm": raw["attention_norm"][i], "mlp_norm": raw["ffn_norm"][i],
            "wq": onnx_llama.interleaved_to_rotate_half(raw["wq"][i].T, p["heads"]),
            "wk": onnx_llama.interleaved_to_rotate_half(raw["wk"][i].T, p["kv_heads"]),
            "wv": raw["wv"][i].T, "wo": raw["wo"][i].T,
            "w1": raw["w1"][i].T, "w3": raw["w3"][i].T, "w2": raw["w2"][i].T,
        })
    w = {"embed": raw["tok_embeddings"], "layers": layers, "final_norm": raw["norm"],
         "lm_head": raw["output"].T}
    return cfg, w


def read_tokenizer(path, vocab):
    with open(path, "rb") as f:
        data = f.read()
    pos, pieces = 4, []
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("%s: truncated at byte %d" % (path, pos))
        score, n = struct.unpack("<fi", data[pos:pos + 8])
        pos += 8
        if n < 0 or pos + n > len(data):
            raise ValueError("%s is not a llama2.c tokenizer.bin: token %d claims %d bytes at byte "
                             "%d of %d" % (path, len(pieces), n, pos, len(data)))
        try:
            pieces.append((data[pos:pos + n].decode("utf-8"), score))
        except UnicodeDecodeError as e:
            raise ValueError("%s is not a llama2.c tokenizer.bin: token %d is not UTF-8 (%s)"
                             % (path, len(pieces), e)) from e
        pos += n
    if len(pieces) != vocab:
        raise ValueError("%s has %d tokens, the checkpoint's vocabulary is %d: wrong tokenizer.bin "
                         "for this model?" % (path, len(pieces), vocab))
    out = []
    for i, (text, score) in enumerate(pieces):
        if i == 0:
            out.append(("<unk>", score, sp_json.UNKNOWN))
        elif text.strip() in ("<s>", "</s>"):
            out.append((text.strip(), score, sp_json.CONTROL))
        elif len(text) == 6 and text.startswith("<0x") and text.endswith(">"):
            out.append((text, score, sp_json.BYTE))
        else:
            out.append((text.replace(" ", "\u2581"), score, sp_json.NORMAL))
    return out


def write_bundle(out, cfg, w, tokenizer_json, description, source):
    os.makedirs(out, exist_ok=True)
    model = onnx_llama.build(cfg, w, "specdec", producer="specdec tools/" + source,
                             doc=description)
    onnx.save(model, os.path.join(out, "target.onnx"))
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False)
    manifest = {"format": "specdec-bundle/1", "name": cfg.name, "description": description,
                "tokenizer": "tokenizer.json", "target": "target.onnx",
                "generation": {"maxNewTokens": 256, "temperature": 0.0, "topK": 0, "topP": 1.0,
                               "draftTokens": 4}}
    with open(os.path.join(out, "specdec.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("tokenizer")
    ap.add_argument("out")
    ap.add_argument("--name")
    ap.add_argument("--bos", type=int, default=1)
    ap.add_argument("--eos", type=int, default=2)
    a = ap.parse_args(argv)
    p, raw = read_checkpoint(a.checkpoint)
    name = a.name or os.path.splitext(os.path.basename(a.checkpoint))[0]
    cfg, w = to_llama(p, raw, name, a.bos, a.eos)
    tok = sp_json.pieces_to_hf_json(read_tokenizer(a.tokenizer, p["vocab"]))
    desc = ("llama2.c checkpoint %s (%s format) imported by tools/import_llama2c.py"
            % (os.path.basename(a.checkpoint), p["format"]))
    write_bundle(a.out, cfg, w, tok, desc, "import_llama2c.py")
    print("%s: %s format, dim %d, %d layers, %d heads (%d kv), vocab %d, context %d -> %s"
          % (a.checkpoint, p["format"], p["dim"], p["layers"], p["heads"], p["kv_heads"], p["vocab"],
             p["seq_len"], a.out))


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError) as e:  # bad input: one line saying what, not a traceback
        raise SystemExit("error: %s" % e)
