#!/usr/bin/python3
"""Validation curves of pilot runs against training compute (issue 16: pick the target's size by
measurement). Reads each run's <ckpt-dir>/log.jsonl (train.py), writes a PNG (bits per byte against
training FLOPs, log scale) and a Markdown table (per run: parameters, tokens, FLOPs, CPU minutes,
tokens per CPU-second, and the validation bpb reached at common FLOP budgets).

  pilot_curves.py --run NAME=CKPT_DIR ... --png models/specdec-java/pilots.png --md pilots.md
"""
import argparse
import json
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(ckpt_dir):
    evals, trains = [], []
    with open(os.path.join(ckpt_dir, "log.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            (evals if "valid" in r else trains if "train" in r else []).append(r)
    return evals, trains


def at_flops(evals, budget):
    """Validation bpb of the last evaluation at or before a FLOP budget (None if the run never got there)."""
    done = [e for e in evals if e["flops"] <= budget * 1.0001]
    return done[-1]["valid"]["bpb"] if done and evals[-1]["flops"] >= budget * 0.999 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", action="append", required=True, help="NAME=CKPT_DIR[:PARAMS]")
    ap.add_argument("--png", required=True)
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    runs = []
    for spec in a.run:
        name, path = spec.split("=", 1)
        evals, trains = read(path)
        runs.append((name, evals, trains))
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for name, evals, _ in runs:
        ax.plot([e["flops"] for e in evals], [e["valid"]["bpb"] for e in evals], marker=".", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("training FLOPs (6N + 6·L·T·d_attn per token)")
    ax.set_ylabel("validation bits per byte (512-token windows)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    ax.set_title("Pilot runs: held-out JDK packages")
    fig.tight_layout()
    fig.savefig(a.png)
    common = min(r[1][-1]["flops"] for r in runs)
    budgets = sorted({common / 4, common / 2, common})
    lines = ["| run | tokens | FLOPs | CPU min | tokens / CPU-s | " +
             " | ".join("bpb @ %.2g FLOP" % b for b in budgets) + " | last bpb |",
             "|---|---|---|---|---|" + "---|" * len(budgets) + "---|"]
    for name, evals, trains in runs:
        last = evals[-1]
        tps = [t["tok_per_cpu_s"] for t in trains if "tok_per_cpu_s" in t]
        tps = sorted(tps)[len(tps) // 2] if tps else float("nan")
        cells = ["%.4f" % v if v is not None else "—" for v in (at_flops(evals, b) for b in budgets)]
        lines.append("| %s | %s | %.3g | %.1f | %.0f | %s | %.4f |" % (
            name, "{:,}".format(last["tokens"]), last["flops"], last.get("cpu_minutes", float("nan")), tps,
            " | ".join(cells), last["valid"]["bpb"]))
    with open(a.md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
