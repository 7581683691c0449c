#!/usr/bin/python3
"""Write models/<name>/README.md (the model card) from the checkpoints, the export report
(tools/train/work/<name>-export.json, written by export.py), the data manifest and the tokenizer
statistics; sha256 of every file of the bundle.

  model_card.py --bundle models/specdec-java --target W/target --draft W/draft --medusa W/medusa --mtp W/mtp
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train as TR  # noqa: E402


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ck_info(path):
    if not path:
        return None
    ck = TR.load_ckpt(path)
    return {"tokens": ck["tokens"], "steps": ck["step"], "minutes": ck["elapsed"] / 60, "done": ck["done"],
            "flops": ck.get("flops"), "cpu_minutes": ck.get("cpu_seconds", 0.0) / 60,
            "hardware": ck.get("hardware", [ck.get("device")]), "args": ck["args"], "params": ck.get("params"),
            "stages": ck.get("stages", []), "notes": ck.get("notes", [])}


def train_cmd(kind, ar):
    """The train.py command line that reproduces a run from its stored arguments."""
    cmd = "/usr/bin/python3 tools/train/train.py %s --ckpt-dir %s --tokens %g --seq-len %d" % (
        kind, ar["ckpt_dir"], ar["tokens"], ar["seq_len"])
    if ar.get("config") and ar["config"] != kind:
        cmd += " --config " + ar["config"]
    if ar.get("target_ckpt"):
        cmd += " --target-ckpt " + ar["target_ckpt"]
    if ar.get("init_from"):
        cmd += " --init-from " + ar["init_from"]
    if ar.get("init_layers_from") and not ar.get("cooldown_from"):
        cmd += " --init-layers-from %s --init-layers %s" % (ar["init_layers_from"], ar.get("init_layers", "0"))
    if ar.get("cooldown_from"):
        # a cooldown branch: its --tokens is the stable run's tokens plus the cooldown
        cmd = cmd.replace(" --tokens %g" % ar["tokens"], "")
        cmd += " --cooldown-from %s --cooldown-tokens %g" % (ar["cooldown_from"], ar["cooldown_tokens"])
    opts = ["short_seq_len", "batch_tokens", "micro_tokens", "lr", "alpha", "seed"]
    opts += ["warmup_steps", "eval_seq_len"] if ar.get("schedule") == "wsd" else ["short_frac", "warmup"]
    if ar.get("schedule") == "wsd":
        cmd += " --schedule wsd"
    for opt in opts:
        if ar.get(opt) is not None:
            cmd += " --%s %g" % (opt.replace("_", "-"), ar[opt])
    return cmd + "   # rerun until it prints 'done' (resumes)"


def stage_label(st):
    ar = st.get("args", {})
    if ar.get("cooldown_from") or ar.get("decay_start_step") is not None:
        return "cooldown at %d positions" % ar["seq_len"]
    if st.get("note"):
        return st["note"]
    if ar.get("schedule") == "wsd":
        return "stable phase at %d positions" % ar["short_seq_len"]
    return "distilled" if ar.get("target_ckpt") else "corpus only"


def fmt_eval(r):
    return "%.4f / %.4f" % (r["loss"], r["bpb"]) if "bpb" in r else "%.4f" % r["loss"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--draft", required=True)
    ap.add_argument("--medusa")
    ap.add_argument("--mtp")
    ap.add_argument("--data", default=os.path.join(TR.WORK, "data"))
    ap.add_argument("--tokenizer", default=os.path.join(TR.WORK, "tokenizer"))
    ap.add_argument("--commands", help="text file with the exact reproduce commands (default: generic)")
    ap.add_argument("--pilots-md", help="pilot table (pilot_curves.py --md)")
    ap.add_argument("--pilots-png", help="pilot curves (pilot_curves.py --png), copied into the bundle as pilots.png")
    ap.add_argument("--pilots-notes", help="Markdown text: what the pilots decided")
    ap.add_argument("--xz", help="xz_baseline.py --out JSON")
    ap.add_argument("--perplexity", action="append", default=[],
                    help="MODEL:WINDOW=FILE: the JSON of `specdec perplexity --model MODEL --context WINDOW --json`")
    ap.add_argument("--perplexity-command", help="the specdec perplexity command line used (for the card)")
    a = ap.parse_args()
    name = os.path.basename(os.path.normpath(a.bundle))
    rep = json.load(open(os.path.join(TR.WORK, name + "-export.json")))
    man = json.load(open(os.path.join(a.data, "manifest.json")))
    tstats = json.load(open(os.path.join(a.tokenizer, "tokenizer-stats.json")))
    info = {k: ck_info(getattr(a, k)) for k in ("target", "draft", "medusa", "mtp")}
    tc, dc = rep["cfg"]["target"], rep["cfg"]["draft"]
    st = man["stats"]
    tr, va = man["splits"]["train"], man["splits"]["valid"]
    ev = rep.get("eval", {})
    w = rep["weights"]

    lines = ["# %s — Java-code models for specdec" % name, "",
             "Llama-style Java-code language models trained from scratch on the JDK 17 sources, exported in the",
             "[specdec model contract v1](../../docs/model-contract.md) (target, draft) and the",
             "[Medusa/MTP interface](../../docs/mtp-medusa-contract.md). Everything here is reproducible with",
             "the commands at the end (scripts in `tools/train/`).", "",
             "## Architecture", "",
             "| | target | draft | Medusa | MTP |", "|---|---|---|---|---|",
             "| parameters | %s | %s | %s | %s |" % tuple(
                 "{:,}".format(rep["params"][k]) if k in rep["params"] else "—" for k in ("target", "draft", "medusa", "mtp")),
             "| layers / hidden / FFN | %d / %d / %d | %d / %d / %d | %s | 1 / %d / %d |" % (
                 tc["layers"], tc["hidden"], tc["ffn"], dc["layers"], dc["hidden"], dc["ffn"],
                 "K=%d heads: residual SiLU block %d×%d + own LM head %d×%d" % (
                     sum(1 for x in ev.get("medusa", {}).get(w, {}) if x.startswith("loss")) or 4,
                     tc["hidden"], tc["hidden"], tc["hidden"], tc["vocab"]), tc["hidden"], tc["ffn"]),
             "| heads / kv heads / head size | %d / %d / %d | %d / %d / %d | — | %d / %d / %d |" % (
                 tc["heads"], tc["kv_heads"], tc["head_size"], dc["heads"], dc["kv_heads"], dc["head_size"],
                 tc["heads"], tc["kv_heads"], tc["head_size"]),
             "| context (trained) | %d | %d | %d | %d |" % tuple(
                 (info[k]["args"]["seq_len"] if info[k] else 0) for k in ("target", "draft", "medusa", "mtp")),
             "",
             "RMSNorm (eps 1e-5), rotate-half RoPE (theta %g, %d positions), GQA, SwiGLU, tied input embedding /"
             % (tc["rope_theta"], tc["max_pos"]),
             "LM head (stored once in each ONNX file). Medusa head k predicts the token k+2 ahead from the target's",
             "`hidden_states`; the MTP module (DeepSeek-V3 style) combines the target's hidden state at i with the",
             "embedding of token i+1 and predicts token i+2 with one transformer block and the target's LM head.",
             "Weights are stored as **%s** (%s) and computed in fp32." % (
                 w, "symmetric per-output-column int8 with an fp32 scale" if w == "int8" else w), "",
             "## Data", "",
             "JDK 17 `src.zip` (`%s`, sha256 `%s`): %d `.java` files, %.1f MB. Excluded generated tables"
             % (man["source"], man["source_sha256"][:16], st["java_files"], st["java_bytes"] / 1e6),
             "(modules %s, packages %s, files > 1 MB or mostly `\\uXXXX` escapes: %s files, %.1f MB); leading license"
             % (", ".join(man["excluded_modules"]), ", ".join(man["excluded_packages"]),
                sum(st["excluded"].values()), st["excluded_bytes"] / 1e6),
             "headers stripped (%.1f MB); exact duplicates after line-ending normalisation: %d."
             % (st["license_stripped_bytes"] / 1e6, st["duplicates"]), "",
             "| split | files | packages | bytes | tokens |", "|---|---|---|---|---|",
             "| train | %d | %d | %d | %s |" % (tr["files"], tr["packages"], tr["bytes"],
                                               "{:,}".format(int(tr["bytes"] / tstats["train"]["bytes_per_token"]))),
             "| held out (validation/evaluation) | %d | %d | %d | %s |" % (va["files"], va["packages"], va["bytes"],
                                                                          "{:,}".format(tstats["valid"]["tokens"])),
             "", "Held-out packages (whole packages, sub-packages not implied): " +
             ", ".join("`%s`" % p for p in man["heldout_packages"]) + ".", "",
             "## Tokenizer", "",
             "sentencepiece BPE, %d pieces (`<unk>`=0, `<s>`=1, `</s>`=2, 256 byte-fallback pieces), trained on a"
             % tstats["pieces"],
             "%g MB sample of the training split; identity normalisation, whitespace kept, pieces may span spaces"
             % tstats["sample_mb"],
             "and newlines (newline is mapped to U+E000 inside the tokenizer), digits split. %.3f bytes/token on the"
             % tstats["valid"]["bytes_per_token"],
             "held-out split; decode(encode(x)) == x on every held-out file (and for arbitrary text without U+E000 /",
             "U+2581). `tokenizer.json` is the Hugging Face form loaded by the runtime through DJL.", "",
             "## Training", "",
             "| model | tokens | steps | training FLOPs | wall time | CPU time | hardware |",
             "|---|---|---|---|---|---|---|"]
    for k in ("target", "draft", "medusa", "mtp"):
        i = info[k]
        if i:
            for n, st in enumerate(i["stages"], 1):
                lines.append("| %s, stage %d (%s) | %s | %s | %s | %s | %s | %s |" % (
                    k, n, stage_label(st), "{:,}".format(st["tokens"]) if "tokens" in st else "—",
                    st.get("steps", "—"), "%.3g" % st["flops"] if st.get("flops") else "",
                    "%.1f min" % st["minutes"] if "minutes" in st else "",
                    "%.1f min" % st["cpu_minutes"] if st.get("cpu_minutes") else "", "; ".join(st.get("hardware", []))))
            lines.append("| %s%s | %s%s | %d | %s | %.1f min | %.1f min | %s |" % (
                k, ", stage %d (%s)" % (len(i["stages"]) + 1, stage_label(i)) if i["stages"] else "",
                "{:,}".format(i["tokens"]), "" if i["done"] else " (budget not finished)",
                i["steps"], "%.3g" % i["flops"] if i.get("flops") else "—", i["minutes"], i["cpu_minutes"],
                "; ".join(i["hardware"])))
    changes = [(k, n) for k in ("target", "draft", "medusa", "mtp") if info[k] for n in info[k]["notes"]]
    if changes:
        lines += ["", "Schedule changes made during training (checkpoint notes; the commands under *Reproduce* "
                  "give the final arguments, so a rerun approximates these runs rather than repeating them "
                  "step for step):", ""]
        lines += ["- %s: %s" % (k, n) for k, n in changes]
    lines += ["", "Training arguments are stored in the checkpoints and listed under *Reproduce*."]
    if a.pilots_md:
        lines += ["", "## Pilot runs (choosing the target's size)", ""]
        if a.pilots_notes:
            lines += open(a.pilots_notes).read().rstrip("\n").split("\n") + [""]
        lines += open(a.pilots_md).read().rstrip("\n").split("\n")
        if a.pilots_png:
            shutil.copyfile(a.pilots_png, os.path.join(a.bundle, "pilots.png"))
            lines += ["", "![validation bpb against training FLOPs](pilots.png)"]
    lines += ["", "## Validation (held-out packages)", ""]
    if a.perplexity:
        lines += ["Measured with the Java runtime (`specdec perplexity`, the stored int8 files as users run them) "
                  "over a subset of the held-out files (the command below):", ""]
        if a.perplexity_command:
            lines += ["```", a.perplexity_command, "```", ""]
        lines += ["| model | window | tokens scored | nats/token | bits per byte | top-1 |", "|---|---|---|---|---|---|"]
        for spec in a.perplexity:
            key, path = spec.split("=", 1)
            mdl, win = key.split(":")
            r = json.load(open(path))
            lines.append("| %s | %s | %s | %.4f | **%.4f** | %.3f |" % (
                mdl, win, "{:,}".format(r["tokens"]), r["nats"], r["bitsPerByte"], r["top1"]))
        lines.append("")
    if a.xz:
        x = json.load(open(a.xz))
        lines += ["For comparison, `xz -9e` compressing each of the same %d held-out files on its own: **%.4f** bits "
                  "per byte (%s of %s bytes; `tools/train/xz_baseline.py`)." % (
                      x["files"], x["bpb"], "{:,}".format(x["compressed_bytes"]), "{:,}".format(x["bytes"])), ""]
    if ev:
        e = rep["eval_windows"]
        lines += ["Storage effect and the heads, measured in torch by `export.py`: "
                  "%d tokens of the held-out split in windows of %d tokens (loss in nats/token; bits per byte ="
                  % (e["tokens"], e["seq"]),
                  "loss / ln 2 / %.3f bytes per predicted token)." % e["bytes_per_token"], "",
                  "| model | fp32 loss / bpb | fp16 loss / bpb | int8 loss / bpb | top-1 / top-5 (stored) |",
                  "|---|---|---|---|---|"]
        for k in ("target", "draft"):
            r = ev[k]
            lines.append("| %s | %s | %s | %s | %.3f / %.3f |" % (k, fmt_eval(r["fp32"]), fmt_eval(r["fp16"]),
                                                                 fmt_eval(r["int8"]), r[w]["top1"], r[w]["top5"]))
        d = ev["draft"][w]
        lines += ["", "Draft vs target: top-1 agreement **%.3f** (argmax equal), KL(target‖draft) %.3f nats/token."
                  % (d["agree"], d["kl"])]
        if "medusa" in ev:
            r = ev["medusa"][w]
            K = sum(1 for x in r if x.startswith("loss"))
            lines += ["", "| Medusa head (predicts) | loss | top-1 | top-5 | argmax = target's greedy |", "|---|---|---|---|---|"]
            for h in range(1, K + 1):
                lines.append("| %d (token +%d) | %.4f | %.3f | %.3f | %.3f |" % (
                    h, h + 1, r["loss%d" % h], r["head%d_top1" % h], r["head%d_top5" % h], r["head%d_agree" % h]))
        if "mtp" in ev:
            r = ev["mtp"][w]
            lines += ["", "MTP (token +2): loss %.4f, top-1 **%.3f**, top-5 **%.3f**, argmax = target's greedy %.3f."
                      % (r["loss"], r["top1"], r["top5"], r["agree"])]
    files = sorted(os.listdir(a.bundle))
    files = [f for f in files if f != "README.md"]
    total = sum(os.path.getsize(os.path.join(a.bundle, f)) for f in files)
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    lines += ["| `%s` | %d | `%s` |" % (f, os.path.getsize(os.path.join(a.bundle, f)), sha256(os.path.join(a.bundle, f)))
              for f in files]
    lines += ["", "Total %.2f MB (without this card)." % (total / 1e6), "", "## Reproduce", "", "```"]
    if a.commands:
        lines += open(a.commands).read().rstrip("\n").split("\n")
    else:
        lines += ["apt-get install -y openjdk-17-source python3-torch python3-onnx python3-numpy sentencepiece python3-sentencepiece",
                  "/usr/bin/python3 tools/train/prepare_data.py",
                  "/usr/bin/python3 tools/train/train_tokenizer.py"]
        for k in ("target", "draft", "medusa", "mtp"):
            i = info[k]
            if not i:
                continue
            for st in i["stages"]:
                if "args" in st:  # a layer initialisation from the target has no run of its own
                    # stages read back from an exported model keep the run's directory beside its args
                    full = {"ckpt_dir": st.get("ckpt_dir"), "tokens": st.get("tokens", 0), "seq_len": 1024}
                    lines.append(train_cmd(k, dict(full, **st["args"])))
            lines.append(train_cmd(k, i["args"]))
        lines.append("/usr/bin/python3 tools/train/export.py --out %s --target %s --draft %s%s%s --weights %s" % (
            a.bundle, a.target, a.draft, " --medusa " + a.medusa if a.medusa else "",
            " --mtp " + a.mtp if a.mtp else "", w))
        lines.append("/usr/bin/python3 tools/train/model_card.py --bundle %s --target %s --draft %s%s%s" % (
            a.bundle, a.target, a.draft, " --medusa " + a.medusa if a.medusa else "", " --mtp " + a.mtp if a.mtp else ""))
    lines += ["```", ""]
    with open(os.path.join(a.bundle, "README.md"), "w") as f:
        f.write("\n".join(lines))
    print("wrote %s (bundle %.2f MB)" % (os.path.join(a.bundle, "README.md"), total / 1e6))


if __name__ == "__main__":
    main()
