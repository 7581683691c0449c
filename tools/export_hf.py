#!/usr/bin/python3
"""Export a specdec bundle's decoders as Hugging Face Llama checkpoints.

  /usr/bin/python3 tools/export_hf.py [--bundle models/specdec-java] --out DIR [--model target|draft|all]
                                      [--format safetensors|torch]

Writes DIR/<model>/ with config.json (LlamaForCausalLM, tied embedding), the weights
(model.safetensors, or pytorch_model.bin with --format torch), generation_config.json and the
tokenizer: the bundle's tokenizer.json, tokenizer_config.json, special_tokens_map.json and a
sentencepiece tokenizer.model rebuilt from tokenizer.json. Any tool that reads HF Llama checkpoints
can then load the weights; llama.cpp's convert_hf_to_gguf.py converts them to GGUF (it reads
tokenizer.model with sentencepiece, and needs --format torch where the safetensors package is
missing, as on Debian bookworm).

The weights come out of the ONNX graphs (tools/train/bundle_weights.py decodes fp32, fp16 and int8
storage; a bundle quantized by `specdec quantize` cannot be exported: export the float bundle).
The layout is HF Llama's as it is: the contract's RoPE is HF's rotate-half form, so q/k need no
permutation (converters that target interleaved RoPE do that themselves).

The bundle's text normalisation maps "\\n" to U+E000 before the BPE (see tools/train/tok.py); HF's
tokenizers library applies it from tokenizer.json. tokenizer.model cannot express that mapping:
it gives the same ids for text in which newlines were replaced by U+E000 (checked against the
cases of testdata/tokenizer-cases.json when they belong to this tokenizer). Feed token ids, not
text, when comparing engines.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "train"))
import safetensors_io  # noqa: E402

NL = "\ue000"


def hf_config(cfg, eps=1e-5):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": cfg.hidden,
        "intermediate_size": cfg.ffn,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "num_key_value_heads": cfg.kv_heads,
        "head_dim": cfg.head_size,
        "hidden_act": "silu",
        "max_position_embeddings": cfg.max_pos,
        "rms_norm_eps": eps,
        "rope_theta": cfg.rope_theta,
        "vocab_size": cfg.vocab,
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
        "bos_token_id": cfg.bos,
        "eos_token_id": cfg.eos,
        "torch_dtype": "float32",
    }


def hf_state_dict(sd, layers):
    """The training model's names (tools/train/model.py) -> HF Llama's, as float32 numpy arrays."""
    out = {"model.embed_tokens.weight": sd["embed.weight"], "model.norm.weight": sd["final_norm.weight"]}
    names = {"wq": "self_attn.q_proj", "wk": "self_attn.k_proj", "wv": "self_attn.v_proj",
             "wo": "self_attn.o_proj", "w1": "mlp.gate_proj", "w3": "mlp.up_proj", "w2": "mlp.down_proj",
             "attn_norm": "input_layernorm", "mlp_norm": "post_attention_layernorm"}
    for i in range(layers):
        for ours, theirs in names.items():
            out["model.layers.%d.%s.weight" % (i, theirs)] = sd["layers.%d.%s.weight" % (i, ours)]
    return {k: np.ascontiguousarray(v.detach().numpy() if hasattr(v, "detach") else v, dtype=np.float32)
            for k, v in out.items()}


def sentencepiece_model(tokenizer_json):
    """A sentencepiece BPE ModelProto with tokenizer.json's pieces in id order.

    Scores follow sentencepiece's BPE convention (a piece made by an earlier merge scores higher:
    -id for normal pieces, whose ids are in merge order in a tokenizer converted from
    sentencepiece); <unk> is UNKNOWN, the other added tokens CONTROL, <0xNN> pieces BYTE."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = tokenizer_json["model"]
    if model.get("type") != "BPE":
        raise SystemExit("tokenizer.json holds a %s model; only BPE tokenizers are exported" % model.get("type"))
    vocab = model["vocab"]
    by_id = {i: p for p, i in vocab.items()}
    added = {t["id"]: t for t in tokenizer_json.get("added_tokens", [])}
    for i, t in added.items():
        by_id[i] = t["content"]
    n = max(by_id) + 1
    missing = [i for i in range(n) if i not in by_id]
    if missing:
        raise SystemExit("tokenizer.json has no piece for ids %s" % missing[:10])
    unk = model.get("unk_token")
    proto = pb.ModelProto()
    for i in range(n):
        piece = by_id[i]
        p = proto.pieces.add()
        p.piece = piece
        if piece == unk:
            p.type, p.score = pb.ModelProto.SentencePiece.UNKNOWN, 0.0
        elif i in added:
            p.type, p.score = pb.ModelProto.SentencePiece.CONTROL, 0.0
        elif len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
            p.type, p.score = pb.ModelProto.SentencePiece.BYTE, 0.0
        else:
            p.type, p.score = pb.ModelProto.SentencePiece.NORMAL, -float(i)
    ts = proto.trainer_spec
    ts.model_type = pb.TrainerSpec.BPE
    ts.vocab_size = n
    ts.byte_fallback = bool(model.get("byte_fallback", False))
    ids = {t["content"]: t["id"] for t in added.values()}
    ts.unk_id = ids.get(unk, vocab.get(unk, 0)) if unk else 0
    ts.bos_id = ids.get("<s>", -1)
    ts.eos_id = ids.get("</s>", -1)
    ts.pad_id = -1
    ns = proto.normalizer_spec
    ns.name = "identity"
    ns.add_dummy_prefix = False
    ns.remove_extra_whitespaces = False
    ns.escape_whitespaces = True
    return proto


def check_sentencepiece(path, tokenizer_json_path):
    """Ids of tokenizer.model against testdata/tokenizer-cases.json, when the cases are for this
    tokenizer (same file content). Returns a message, or None when there was nothing to check."""
    import sentencepiece as spm

    cases_path = os.path.join(ROOT, "testdata", "tokenizer-cases.json")
    if not os.path.isfile(cases_path):
        return None
    cases = json.load(open(cases_path, encoding="utf-8"))
    ref = os.path.join(ROOT, cases.get("tokenizer", ""))
    if not os.path.isfile(ref) or open(ref, "rb").read() != open(tokenizer_json_path, "rb").read():
        return None
    sp = spm.SentencePieceProcessor(model_file=path)
    bad = [c["text"] for c in cases["cases"] if sp.encode(c["text"].replace("\n", NL)) != c["ids"]]
    if bad:
        raise SystemExit("tokenizer.model disagrees with tokenizer.json on %d of %d cases, e.g. %r"
                         % (len(bad), len(cases["cases"]), bad[0][:60]))
    return "tokenizer.model gives the ids of all %d cases of %s" % (len(cases["cases"]), cases_path)


def export_model(bundle, name, onnx_file, out_dir, fmt, tokenizer_json_path):
    import bundle_weights

    cfg, sd = bundle_weights.load_decoder(os.path.join(bundle, onnx_file))
    os.makedirs(out_dir, exist_ok=True)
    tensors = hf_state_dict(sd, cfg.layers)
    meta = {"format": "pt", "source": "specdec bundle %s (%s)" % (os.path.basename(os.path.abspath(bundle)), onnx_file)}
    if fmt == "safetensors":
        safetensors_io.write(os.path.join(out_dir, "model.safetensors"), tensors, meta)
    else:
        import torch
        torch.save({k: torch.from_numpy(v) for k, v in tensors.items()}, os.path.join(out_dir, "pytorch_model.bin"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": cfg.bos, "eos_token_id": cfg.eos}, f, indent=2)
    tok = json.load(open(tokenizer_json_path, encoding="utf-8"))
    shutil.copyfile(tokenizer_json_path, os.path.join(out_dir, "tokenizer.json"))
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": tok["model"].get("unk_token") or "<unk>"}
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump(dict(special, tokenizer_class="LlamaTokenizerFast", add_bos_token=True, add_eos_token=False,
                       model_max_length=cfg.max_pos, clean_up_tokenization_spaces=False, legacy=False), f, indent=2)
    sp_path = os.path.join(out_dir, "tokenizer.model")
    with open(sp_path, "wb") as f:
        f.write(sentencepiece_model(tok).SerializeToString())
    checked = check_sentencepiece(sp_path, tokenizer_json_path)
    n_params = sum(v.size for v in tensors.values())
    print("%s: %s, %d layers, hidden %d, %.2fM parameters -> %s%s" % (
        name, cfg.name, cfg.layers, cfg.hidden, n_params / 1e6, out_dir, "; " + checked if checked else ""))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", default=os.path.join(ROOT, "models", "specdec-java"))
    ap.add_argument("--out", required=True, help="output directory (one subdirectory per model)")
    ap.add_argument("--model", choices=["target", "draft", "all"], default="all")
    ap.add_argument("--format", choices=["safetensors", "torch"], default="safetensors")
    args = ap.parse_args(argv)
    manifest_path = os.path.join(args.bundle, "specdec.json")
    if not os.path.isfile(manifest_path):
        raise SystemExit("%s is not a specdec bundle (no specdec.json)" % args.bundle)
    manifest = json.load(open(manifest_path))
    if manifest.get("quantization"):
        raise SystemExit("%s is quantized (%s): export the float bundle it was made from"
                         % (args.bundle, manifest["quantization"]))
    tokenizer = os.path.join(args.bundle, manifest.get("tokenizer", "tokenizer.json"))
    files = {"target": manifest.get("target", "target.onnx"), "draft": manifest.get("draft")}
    wanted = ["target", "draft"] if args.model == "all" else [args.model]
    for name in wanted:
        if not files.get(name):
            raise SystemExit("%s has no %s model" % (args.bundle, name))
        export_model(args.bundle, name, files[name], os.path.join(args.out, name), args.format, tokenizer)


if __name__ == "__main__":
    main()
