#!/usr/bin/python3
"""Train the default specdec model family; resumable, CPU or CUDA.

  train.py target --ckpt-dir W/target --tokens 200e6 [--max-minutes 110]
  train.py draft  --ckpt-dir W/draft  --target-ckpt W/target --tokens 100e6
  train.py medusa --ckpt-dir W/medusa --target-ckpt W/target --tokens 20e6
  train.py mtp    --ckpt-dir W/mtp    --target-ckpt W/target --tokens 20e6
  (W = $SPECDEC_TRAIN_WORK, default ../specdec-train-work beside the checkout; data/tokenizer
  default to W/{data,tokenizer})

Every run resumes from <ckpt-dir>/ckpt.pt when it exists (model, optimizer, step, data position,
elapsed time; the schedule-defining arguments are taken from the checkpoint, only the session
arguments --max-minutes/--ckpt-minutes/--eval-every/--log-every/--threads/--device and an explicit
--tokens (extends/shortens the budget) come from the command line). Checkpoints are written
atomically every --ckpt-minutes, at the end of the budget, at the end of --max-minutes and on
SIGINT/SIGTERM. A finished run (budget reached) exits immediately with status 0; a run stopped
before its budget (--max-minutes, signal) exits with status 75.

Data: the token stream of data/<split>.txt (every document as <s> ids </s>), cached as uint16 in
<work>/tokens/. Batches are random windows, drawn from a generator seeded by (seed, step), so a
resumed run sees the same batches as an uninterrupted one; a run that continues earlier weights
(--init-from) numbers its steps after theirs for this, so it does not see their windows again.
Losses: target CE; draft alpha*KL(target||draft) + (1-alpha)*CE (--alpha, distillation from the frozen
target's logits, computed on the fly); medusa sum_k 0.8^k CE_k (+ --alpha KL to the target's own
next-token distribution at t+k+1); mtp CE (+ --alpha KL to the target's distribution at t+1).
"""
import argparse
import dataclasses
import hashlib
import json
import math
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import blas_env  # noqa: E402
blas_env.ensure()  # before numpy/torch load OpenBLAS: may re-execute this script

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import model as M  # noqa: E402
import tok  # noqa: E402,F401  (imports make_test_models, which sets torch threads: import first)

from workdir import WORK  # noqa: E402
SESSION_ARGS = {"max_minutes", "ckpt_minutes", "eval_every", "log_every", "threads", "device",
                "tokens", "eval_tokens", "fresh", "micro_tokens", "eval_seq_len", "cpu_bf16"}
MEDUSA_DECAY = 0.8


# ------------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------------

def ensure_tokens(data_dir, tok_dir, split):
    """uint16 token stream of a split (cached; rebuilt when the tokenizer or the text changes)."""
    import tok as T
    out_dir = os.path.join(os.path.dirname(os.path.abspath(tok_dir)), "tokens")
    os.makedirs(out_dir, exist_ok=True)
    txt = os.path.join(data_dir, split + ".txt")
    spm_file = os.path.join(tok_dir, "sp.model")
    key = hashlib.sha256(open(spm_file, "rb").read() + open(txt, "rb").read()).hexdigest()[:16]
    path = os.path.join(out_dir, "%s-%s.bin" % (split, key))
    meta_path = path[:-4] + ".json"
    if not os.path.exists(meta_path):
        tk = T.Tokenizer(spm_file)
        with open(txt, encoding="utf-8", newline="") as f:
            docs = f.read().split("\x1c")[:-1]
        arr = []
        for i in range(0, len(docs), 512):
            for ids in tk.encode_batch(docs[i:i + 512]):
                arr.append([T.BOS] + ids + [T.EOS])
        flat = np.fromiter((t for a in arr for t in a), dtype=np.uint16)
        flat.tofile(path + ".tmp")
        os.replace(path + ".tmp", path)
        meta = {"split": split, "docs": len(docs), "tokens": int(flat.size),
                "bytes": sum(len(d.encode("utf-8")) for d in docs),
                "predicted_tokens": int(flat.size - len(docs))}  # every token but the <s>
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    meta = json.load(open(meta_path))
    return np.memmap(path, dtype=np.uint16, mode="r"), meta


def train_batch(data, seed, step, micro, bs, length):
    rng = np.random.default_rng([seed, step, micro])
    starts = rng.integers(0, len(data) - length, size=bs)
    return torch.from_numpy(np.stack([data[s:s + length] for s in starts]).astype(np.int64))


def valid_windows(data, length, n_tokens, stride=None):
    """Non-overlapping windows from the start of the validation stream (deterministic)."""
    stride = stride or length - 1
    n = max(1, min(int(n_tokens) // stride, (len(data) - length) // stride))
    return [torch.from_numpy(np.asarray(data[i * stride:i * stride + length]).astype(np.int64))
            for i in range(n)]


# ------------------------------------------------------------------------------------------------
# models per kind
# ------------------------------------------------------------------------------------------------

def load_ckpt(path, device="cpu"):
    return torch.load(os.path.join(path, "ckpt.pt") if os.path.isdir(path) else path, map_location=device)


def load_target(path, device):
    ck = load_ckpt(path, device)
    cfg = M.ModelCfg(**ck["cfg"])
    m = M.LlamaLM(cfg).to(device)
    m.load_state_dict(ck["model"])
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def init_layers(model, cfg, args):
    """Copies the embedding, the final norm and the chosen layers of a target checkpoint into a new
    draft of the same width; returns the training stage to record."""
    src = load_ckpt(args.init_layers_from)
    scfg = M.ModelCfg(**src["cfg"])
    layers = [int(x) for x in args.init_layers.split(",")]
    same = ("vocab", "hidden", "heads", "kv_heads", "head_size", "ffn", "max_pos", "rope_theta")
    if src["kind"] != "target" or any(getattr(scfg, f) != getattr(cfg, f) for f in same):
        sys.exit("--init-layers-from %s must be a target checkpoint of the same width (%s)" % (
            args.init_layers_from, ", ".join(same)))
    if len(layers) != cfg.layers or any(not 0 <= l < scfg.layers for l in layers):
        sys.exit("--init-layers %s: need %d layer indices in [0, %d)" % (args.init_layers, cfg.layers, scfg.layers))
    sd = {}
    for name, t in src["model"].items():
        if name.startswith("layers."):
            i, rest = name.split(".", 2)[1:]
            for j, l in enumerate(layers):
                if int(i) == l:
                    sd["layers.%d.%s" % (j, rest)] = t
        else:
            sd[name] = t
    model.load_state_dict(sd)
    print("initialised from layers %s of the target %s (%.2fM tokens)" % (layers, args.init_layers_from, src["tokens"] / 1e6))
    return [{"ckpt_dir": args.init_layers_from, "tokens": src["tokens"], "steps": src["step"],
             "minutes": src["elapsed"] / 60, "note": "draft initialised from the target's embedding, final norm "
             "and layers %s" % layers}]


def build(kind, args, device, teacher):
    if kind in ("target", "draft"):
        cfg = M.CONFIGS[args.config]
        return M.LlamaLM(cfg).to(device), cfg
    if kind == "medusa":
        cfg = teacher.cfg
        return M.Medusa(cfg.hidden, cfg.vocab, args.heads, teacher.embed.weight).to(device), cfg
    if kind == "mtp":
        cfg = teacher.cfg
        return M.MTP(cfg).to(device), cfg
    raise ValueError(kind)


def extra_tokens(kind, args):
    """How many tokens a training window needs beyond the seq_len + 1 of next-token training."""
    return {"target": 0, "draft": 0, "medusa": args.heads, "mtp": 1}[kind]


def kl(student_logits, teacher_logits):
    """KL(teacher || student) per position, summed over the vocabulary, mean over positions."""
    t = F.log_softmax(teacher_logits.float(), -1)
    s = F.log_softmax(student_logits.float(), -1)
    return (t.exp() * (t - s)).sum(-1).mean()


def step_loss(kind, model, teacher, w, args, T):
    """w [B, T + 1 + extra]. Returns (loss, metrics dict of floats)."""
    if kind == "target":
        lg, _ = model(w[:, :T])
        loss = F.cross_entropy(lg.float().flatten(0, 1), w[:, 1:T + 1].flatten())
        return loss, {"ce": loss.item()}
    if kind == "draft":
        lg, _ = model(w[:, :T])
        ce = F.cross_entropy(lg.float().flatten(0, 1), w[:, 1:T + 1].flatten())
        if teacher is None or args.alpha == 0:
            return ce, {"ce": ce.item()}
        with torch.no_grad():
            tl, _ = teacher(w[:, :T])
        k = kl(lg, tl)
        return args.alpha * k + (1 - args.alpha) * ce, {"ce": ce.item(), "kl": k.item()}
    K = getattr(model, "K", 1)
    with torch.no_grad():
        hs = teacher.hidden(w[:, :T + (K if kind == "medusa" else 1)])
    if kind == "medusa":
        out = model.head_logits(hs[:, :T])  # K x [B,T,V]
        loss, met = 0.0, {}
        if args.alpha > 0:
            # the target's own next-token log-probabilities at positions 1..T+K-1, once for all heads
            # (head k's teacher is the row k + 1 ahead); log-softmax once instead of per head
            with torch.no_grad():
                tlp = F.log_softmax(teacher.logits(hs[:, 1:T + K]).float(), -1)
        for k in range(K):
            ce = F.cross_entropy(out[k].float().flatten(0, 1), w[:, k + 2:T + k + 2].flatten())
            lk = ce
            if args.alpha > 0:
                t = tlp[:, k:T + k]
                s_lp = F.log_softmax(out[k].float(), -1)
                lk = args.alpha * (t.exp() * (t - s_lp)).sum(-1).mean() + (1 - args.alpha) * ce
            loss = loss + (MEDUSA_DECAY ** k) * lk
            met["ce%d" % (k + 1)] = ce.item()
        return loss, met
    if kind == "mtp":
        emb = teacher.embed(w[:, 1:T + 1])
        lg = teacher.logits(model(hs[:, :T], emb))
        ce = F.cross_entropy(lg.float().flatten(0, 1), w[:, 2:T + 2].flatten())
        if args.alpha == 0:
            return ce, {"ce": ce.item()}
        with torch.no_grad():
            tl = teacher.logits(hs[:, 1:T + 1])
        return args.alpha * kl(lg, tl) + (1 - args.alpha) * ce, {"ce": ce.item()}
    raise ValueError(kind)


@torch.no_grad()
def evaluate(kind, model, teacher, windows, T, device, bytes_per_pred_token, K=4, bs=4, amp=None):
    """Metrics on validation windows [T + 1 + extra]: loss (CE, nats/token), bits per byte (for
    next-token models), top-1/top-5 accuracy; draft: top-1 agreement with the target; medusa: per
    head; mtp: accuracy for x_{t+2}."""
    model.eval()
    sums, n = {}, 0

    def add(k, v):
        sums[k] = sums.get(k, 0.0) + float(v)

    def topk(lg, y, key):
        t5 = lg.topk(5, -1).indices
        add(key + "top1", (t5[..., 0] == y).sum())
        add(key + "top5", (t5 == y.unsqueeze(-1)).any(-1).sum())

    for i in range(0, len(windows), bs):
        w = torch.stack(windows[i:i + bs]).to(device)
        with amp():
            if kind in ("target", "draft"):
                lg, _ = model(w[:, :T])
                y = w[:, 1:T + 1]
                add("loss", F.cross_entropy(lg.float().flatten(0, 1), y.flatten(), reduction="sum"))
                topk(lg, y, "")
                if teacher is not None:
                    tl, _ = teacher(w[:, :T])
                    add("agree", (tl.argmax(-1) == lg.argmax(-1)).sum())
                    add("kl", kl(lg, tl) * y.numel())
            elif kind == "medusa":
                hs = teacher.hidden(w[:, :T + K])
                out = model.head_logits(hs[:, :T])
                for k in range(K):
                    y = w[:, k + 2:T + k + 2]
                    add("loss%d" % (k + 1), F.cross_entropy(out[k].float().flatten(0, 1), y.flatten(), reduction="sum"))
                    topk(out[k], y, "head%d_" % (k + 1))
                    # agreement with what the target itself would predict at t+k+1 (greedy chain)
                    add("head%d_agree" % (k + 1), (teacher.logits(hs[:, k + 1:T + k + 1]).argmax(-1) == out[k].argmax(-1)).sum())
            elif kind == "mtp":
                hs = teacher.hidden(w[:, :T + 1])
                lg = teacher.logits(model(hs[:, :T], teacher.embed(w[:, 1:T + 1])))
                y = w[:, 2:T + 2]
                add("loss", F.cross_entropy(lg.float().flatten(0, 1), y.flatten(), reduction="sum"))
                topk(lg, y, "")
                add("agree", (teacher.logits(hs[:, 1:T + 1]).argmax(-1) == lg.argmax(-1)).sum())
        n += w.shape[0] * T
    out = {k: v / n for k, v in sums.items()}
    if "loss" in out and kind in ("target", "draft"):
        out["bpb"] = out["loss"] / math.log(2) / bytes_per_pred_token
    out["tokens"] = n
    model.train()
    return {k: round(v, 5) if isinstance(v, float) else v for k, v in out.items()}


# ------------------------------------------------------------------------------------------------
# training loop
# ------------------------------------------------------------------------------------------------

def lr_at(step, total, args):
    if getattr(args, "schedule", "cosine") == "wsd":
        return wsd_lr(step, args)
    warm = max(1, int(total * args.warmup))
    if step < warm:
        return args.lr * (step + 1) / warm
    p = min(1.0, (step - warm) / max(1, total - warm))
    return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p)))


def wsd_lr(step, args):
    """Warmup-stable-decay (Hu et al. 2024, MiniCPM): linear warmup over --warmup-steps, then the peak
    rate for as long as the run is extended; a cooldown branch (--cooldown-from) decays it from
    decay_start_step to the end of its budget with the 1-sqrt shape (Haegele et al. 2024). The stable
    phase never depends on the total budget, so a run can be extended session after session and any
    stable checkpoint can be cooled down into an exportable model."""
    if step < args.warmup_steps:
        return args.lr * (step + 1) / args.warmup_steps
    start = getattr(args, "decay_start_step", None)
    if start is None or step < start:
        return args.lr
    end = max(start + 1, int(args.tokens // args.batch_tokens))
    frac = min(1.0, (step - start) / (end - start))
    return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * (1 - math.sqrt(frac)))


def seq_len_at(step, tokens_seen, args):
    """Training window length: WSD trains the stable phase at --short-seq-len and its cooldown at
    --seq-len (the full context); cosine uses the --short-frac curriculum."""
    if getattr(args, "schedule", "cosine") == "wsd":
        start = getattr(args, "decay_start_step", None)
        return args.seq_len if start is not None and step >= start else args.short_seq_len
    return args.seq_len if tokens_seen >= args.short_frac * args.tokens else args.short_seq_len


def hardware(device, bf16=False):
    if device == "cuda":
        return "%s (CUDA), torch %s" % (torch.cuda.get_device_name(0), torch.__version__)
    cpu = "CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d torch threads, torch %s, OpenBLAS core %s%s" % (
        cpu, torch.get_num_threads(), torch.__version__, blas_env.describe()["chosen"], ", bf16 autocast" if bf16 else "")


def save_ckpt(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["target", "draft", "medusa", "mtp"])
    ap.add_argument("--ckpt-dir", required=True)
    ap.add_argument("--config", help="model config name in model.CONFIGS (target/draft; default = kind)")
    ap.add_argument("--target-ckpt", help="checkpoint dir of the trained target (draft/medusa/mtp)")
    ap.add_argument("--data", default=os.path.join(WORK, "data"))
    ap.add_argument("--tokenizer", default=os.path.join(WORK, "tokenizer"))
    ap.add_argument("--tokens", type=float, default=20e6, help="training token budget (whole run)")
    ap.add_argument("--seq-len", type=int, default=0, help="default: the model's max_pos minus the extra "
                    "look-ahead tokens of the kind (target/draft 1024, medusa 1020, mtp 1023)")
    ap.add_argument("--short-seq-len", type=int, default=256, help="curriculum: first --short-frac at this length")
    ap.add_argument("--short-frac", type=float, default=0.0)
    ap.add_argument("--batch-tokens", type=int, default=16384, help="tokens per optimizer step")
    ap.add_argument("--micro-tokens", type=int, default=0, help="tokens per forward/backward (gradient "
                    "accumulation up to --batch-tokens); default 1024 on CPU (faster per token than larger), 16384 on CUDA")
    ap.add_argument("--lr", type=float, default=None, help="default: 3e-3 draft/medusa/mtp, 1e-3 target")
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=float, default=0.02, help="fraction of steps (cosine)")
    ap.add_argument("--schedule", choices=["cosine", "wsd"], default="cosine",
                    help="cosine over the --tokens budget, or warmup-stable-decay (open-ended; see wsd_lr)")
    ap.add_argument("--warmup-steps", type=int, default=100, help="wsd: warmup steps")
    ap.add_argument("--cooldown-from", help="wsd: start this run (a new --ckpt-dir) from the stable checkpoint in "
                    "this dir (model, optimizer, step, tokens) and decay the rate over --cooldown-tokens at --seq-len")
    ap.add_argument("--cooldown-tokens", type=float, default=0.0)
    ap.add_argument("--eval-seq-len", type=int, default=0, help="validation window (default: --seq-len)")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--alpha", type=float, default=None, help="distillation weight (draft 0.8, medusa/mtp 0.5)")
    ap.add_argument("--heads", type=int, default=4, help="Medusa heads K")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-minutes", type=float, default=1e9, help="stop (with a checkpoint) after this long")
    ap.add_argument("--ckpt-minutes", type=float, default=10.0)
    ap.add_argument("--eval-every", type=int, default=200, help="steps")
    ap.add_argument("--eval-tokens", type=float, default=65536)
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0 = torch default)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--cpu-bf16", action="store_true", help="CPU: bf16 autocast for matmuls (fp32 master weights, "
                    "loss and validation in fp32); measured 1.45x the fp32 step on an AVX-512-BF16 EPYC (2026-12-04)")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint (it is overwritten)")
    ap.add_argument("--init-from", help="start a new run from the weights of another checkpoint dir of the same "
                    "kind and config (e.g. distil a draft that was first trained on the corpus); its "
                    "tokens and time are kept as an earlier stage in the checkpoint")
    ap.add_argument("--init-layers-from", help="draft: start a new run from a target checkpoint dir of the same width: "
                    "its embedding, final norm and the layers --init-layers (self-speculative initialisation)")
    ap.add_argument("--init-layers", default="0", help="comma-separated target layers for --init-layers-from, one per "
                    "draft layer (default 0)")
    args = ap.parse_args(argv)
    explicit = {a.dest for a in ap._actions if any(o in (argv if argv is not None else sys.argv[1:])
                                                   for o in a.option_strings)}
    args.config = args.config or args.kind
    if args.lr is None:
        args.lr = 1e-3 if args.kind == "target" else 3e-3
    if args.alpha is None:
        args.alpha = {"target": 0.0, "draft": 0.8, "medusa": 0.5, "mtp": 0.5}[args.kind]
    return args, explicit


def main(argv=None):
    args, explicit = parse(argv)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    ck_path = os.path.join(args.ckpt_dir, "ckpt.pt")
    resume = None
    if os.path.exists(ck_path) and not args.fresh:
        resume = torch.load(ck_path, map_location="cpu")
        saved = dict(resume["args"])
        saved["ckpt_dir"] = args.ckpt_dir  # a checkpoint copied elsewhere goes on where it now lies
        for k in explicit & SESSION_ARGS:
            saved[k] = getattr(args, k)
        changed = {k: (saved[k], getattr(args, k)) for k in vars(args)
                   if k in explicit and k not in SESSION_ARGS and saved.get(k) != getattr(args, k)}
        if changed:
            print("note: resuming, ignoring changed arguments (from checkpoint, from command line): %s" % changed)
        args = argparse.Namespace(**saved)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    torch.manual_seed(args.seed)
    amp = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if device == "cuda" else \
        (lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=getattr(args, "cpu_bf16", False)))
    # validation on the CPU stays fp32: its figures go into the model card
    eval_amp = amp if device == "cuda" else (lambda: torch.autocast("cpu", enabled=False))
    train_data, _ = ensure_tokens(args.data, args.tokenizer, "train")
    valid_data, vmeta = ensure_tokens(args.data, args.tokenizer, "valid")
    bpt = vmeta["bytes"] / vmeta["predicted_tokens"]
    teacher = None
    if args.kind != "target":
        if args.target_ckpt:
            teacher = load_target(args.target_ckpt, device)
        elif args.kind != "draft":
            sys.exit("--target-ckpt is required for " + args.kind)
    model, cfg = build(args.kind, args, device, teacher)
    if not args.seq_len:
        args.seq_len = cfg.max_pos - extra_tokens(args.kind, args)
    if not args.micro_tokens:
        args.micro_tokens = 16384 if device == "cuda" else 1024
    assert args.seq_len <= cfg.max_pos - extra_tokens(args.kind, args), \
        "seq_len %d + %d extra must fit max_pos %d" % (args.seq_len, extra_tokens(args.kind, args), cfg.max_pos)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "heads" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "heads" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    step, tokens_seen, elapsed, history, hw = 0, 0, 0.0, [], []
    stages = []  # earlier runs these weights come from (--init-from), oldest first
    # Batches are drawn by (seed, step): a run that continues earlier weights (--init-from) starts
    # its steps after theirs, or it would train again on exactly the windows they saw, in order.
    batch_offset = 0
    if resume is None and args.init_from and args.init_from.endswith(".onnx"):
        # the committed bundle, when the work directory is gone (see bundle_weights.py)
        import bundle_weights
        bcfg, sd = bundle_weights.load_decoder(args.init_from)
        if dataclasses.replace(bcfg, name=cfg.name) != cfg:
            sys.exit("--init-from %s is a %s, not this run's config %s" % (args.init_from, bcfg, cfg))
        model.load_state_dict(sd)
        stages = bundle_weights.training_stages(args.init_from) + [{
            "ckpt_dir": args.init_from, "note": "resumed from the exported bundle (optimizer state lost)"}]
        batch_offset = sum(int(st.get("steps", 0)) for st in stages)
        print("initialised from the exported weights of %s" % args.init_from)
    elif resume is None and args.init_from:
        init = load_ckpt(args.init_from)
        if init["kind"] != args.kind or M.ModelCfg(**init["cfg"]) != cfg:
            sys.exit("--init-from %s holds a %s %s, not this run's %s %s"
                     % (args.init_from, init["kind"], init["cfg"].get("name"), args.kind, cfg.name))
        model.load_state_dict(init["model"])
        stages = init.get("stages", []) + [{"ckpt_dir": init["args"]["ckpt_dir"], "tokens": init["tokens"],
                                             "steps": init["step"], "minutes": init["elapsed"] / 60,
                                             "args": init["args"]}]
        hw = list(init.get("hardware", []))
        batch_offset = init.get("batch_offset", 0) + init["step"]
        print("initialised from %s (%d steps, %.2fM tokens)" % (args.init_from, init["step"], init["tokens"] / 1e6))
    if resume is None and getattr(args, "init_layers_from", None):
        stages = init_layers(model, cfg, args) + stages
    if resume is None and args.cooldown_from:
        src = load_ckpt(args.cooldown_from)
        if src["kind"] != args.kind or src["args"].get("schedule") != "wsd" or M.ModelCfg(**src["cfg"]) != cfg:
            sys.exit("--cooldown-from %s is not a wsd %s run of config %s" % (args.cooldown_from, args.kind, cfg.name))
        saved = dict(src["args"])
        # a draft/head cooldown may take a newer teacher (the target's own cooldown, say)
        for k in explicit & (SESSION_ARGS | {"target_ckpt"}) - {"tokens"}:
            saved[k] = getattr(args, k)
        saved.update(ckpt_dir=args.ckpt_dir, cooldown_from=args.cooldown_from,
                     cooldown_tokens=args.cooldown_tokens, decay_start_step=src["step"],
                     tokens=src["tokens"] + args.cooldown_tokens, seq_len=args.seq_len or saved["seq_len"])
        args = argparse.Namespace(**saved)
        resume = dict(src, stages=src.get("stages", []) + [{
            "ckpt_dir": src["args"]["ckpt_dir"], "tokens": src["tokens"], "steps": src["step"],
            "minutes": src["elapsed"] / 60, "args": src["args"], "note": "stable phase (cooled down from here)"}])
        print("cooldown of %s from step %d (%.2fM tokens) over %.2fM tokens at seq %d"
              % (args.cooldown_from, src["step"], src["tokens"] / 1e6, args.cooldown_tokens / 1e6, args.seq_len))
    if resume is not None:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["opt"])
        step, tokens_seen, elapsed = resume["step"], resume["tokens"], resume["elapsed"]
        history = resume.get("history", [])
        stages = resume.get("stages", [])
        hw = resume.get("hardware", [])
        batch_offset = resume.get("batch_offset", 0)
        print("resumed %s at step %d, %.2fM tokens, %.1f min trained" % (ck_path, step, tokens_seen / 1e6, elapsed / 60))
    total_steps = max(1, int(args.tokens // args.batch_tokens))
    n_params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"kind": args.kind, "model": cfg.name, "params": n_params, "device": device,
                      "threads": torch.get_num_threads(), "total_steps": total_steps,
                      "train_tokens_available": int(len(train_data)), "args": vars(args)}))
    ex = extra_tokens(args.kind, args)
    eval_T = getattr(args, "eval_seq_len", 0) or args.seq_len
    vwin = valid_windows(valid_data, eval_T + 1 + ex, args.eval_tokens)
    cpu_start = time.process_time() - (resume or {}).get("cpu_seconds", 0.0)
    flops = (resume or {}).get("flops", 0.0)
    stop = {"sig": False}

    def on_signal(signum, frame):
        stop["sig"] = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def state(done=False):
        return {"kind": args.kind, "cfg": vars(cfg) if not hasattr(cfg, "__dataclass_fields__")
                else M.dataclasses.asdict(cfg), "model": model.state_dict(), "opt": opt.state_dict(),
                "step": step, "tokens": tokens_seen, "elapsed": elapsed, "args": vars(args),
                "history": history, "stages": stages, "batch_offset": batch_offset, "done": done, "params": n_params, "device": device,
                "hardware": sorted(set(hw + [hardware(device, getattr(args, "cpu_bf16", False))])), "flops": flops,
                "cpu_seconds": time.process_time() - cpu_start,
                "torch": torch.__version__}

    def log(rec):
        rec = dict(rec, step=step, tokens=tokens_seen, minutes=round(elapsed / 60, 2), flops=float("%.4g" % flops),
                   cpu_minutes=round((time.process_time() - cpu_start) / 60, 2))
        print(json.dumps(rec), flush=True)
        history.append(rec)
        with open(os.path.join(args.ckpt_dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")

    if step >= total_steps:
        print("budget already reached (%d steps); nothing to do" % step)
        return
    session_start = time.time()
    last_ckpt = time.time()
    t_log, tok_log, cpu_log = time.time(), 0, time.process_time()
    model.train()
    while step < total_steps:
        T = seq_len_at(step, tokens_seen, args)
        mb = max(1, args.micro_tokens // T)
        n_micro = max(1, args.batch_tokens // (mb * T))
        lr = lr_at(step, total_steps, args)
        for g in opt.param_groups:
            g["lr"] = lr
        t0 = time.time()
        mets = {}
        for micro in range(n_micro):
            w = train_batch(train_data, args.seed, batch_offset + step, micro, mb, T + 1 + ex).to(device)
            with amp():
                loss, met = step_loss(args.kind, model, teacher, w, args, T)
            (loss / n_micro).backward()
            for k, v in met.items():
                mets[k] = mets.get(k, 0.0) + v / n_micro
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        tokens_seen += n_micro * mb * T
        tok_log += n_micro * mb * T
        if args.kind in ("target", "draft"):
            flops += n_micro * mb * T * M.train_flops_per_token(cfg, T)
        elapsed += time.time() - t0
        if step % args.log_every == 0 or step == total_steps:
            now = time.time()
            log({"train": {k: round(v, 4) for k, v in mets.items()}, "lr": round(lr, 6),
                 "grad_norm": round(float(gn), 3), "seq": T, "tok_per_s": round(tok_log / (now - t_log), 1),
                 # per CPU-second of this process (all its threads): comparable when the machine is shared
                 "tok_per_cpu_s": round(tok_log / max(1e-9, time.process_time() - cpu_log), 1)})
            t_log, tok_log, cpu_log = now, 0, time.process_time()
        if step % args.eval_every == 0 or step == total_steps:
            te = time.time()
            log({"valid": evaluate(args.kind, model, teacher, vwin, eval_T, device, bpt,
                                   K=getattr(args, "heads", 4), amp=eval_amp), "eval_s": round(time.time() - te, 1)})
            elapsed += time.time() - te
        out_of_time = (time.time() - session_start) / 60 >= args.max_minutes
        if step == total_steps or stop["sig"] or out_of_time or time.time() - last_ckpt >= 60 * args.ckpt_minutes:
            save_ckpt(ck_path, state(done=step >= total_steps))
            last_ckpt = time.time()
            print("checkpoint %s (step %d/%d, %.2fM tokens)" % (ck_path, step, total_steps, tokens_seen / 1e6), flush=True)
        if stop["sig"] or out_of_time:
            print("stopping (%s); rerun the same command to resume" % ("signal" if stop["sig"] else "--max-minutes"))
            return 75  # EX_TEMPFAIL: not finished (so that `train.py target && train.py draft` stops here)
    print("done: %d steps, %.2fM tokens, %.1f min" % (step, tokens_seen / 1e6, elapsed / 60))


if __name__ == "__main__":
    sys.exit(main() or 0)
