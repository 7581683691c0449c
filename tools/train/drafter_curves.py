#!/usr/bin/python3
"""How a drafter's agreement with the target grows with its training tokens, and how much more
training a threshold would take if the curve goes on as measured (issue 16's blocked rule).

  drafter_curves.py --curve NAME=DIR[,DIR...][,+DIR]:METRIC:THRESHOLD [--curve ...] [--md OUT.md] [--png OUT.png]

DIRs are the checkpoint directories of one drafter's runs, oldest first (a run continued with
--init-from a checkpoint directory counts its tokens after that checkpoint's); a +DIR is a
--cooldown-from branch, which numbers its tokens after its stable run's. METRIC is a field of the runs' "valid" records
(agree: the drafter's argmax equals the target's on held-out text, the per-token acceptance of
greedy decoding; head1_agree for Medusa's first head). The fit is METRIC = a + b ln(tokens) over
the stable-phase evaluations (cooldown points jump and are shown, not fitted); the tokens a
threshold needs follow from it, and the CPU time from the runs' own measured tokens per CPU-second.
A log-linear curve is the usual shape of such runs at this scale; it says nothing about where the
drafter's capacity saturates, so the hours it gives are a lower bound.
"""
import argparse
import json
import math
import os
import statistics


def read_log(d):
    head, points, speeds = None, [], []
    with open(os.path.join(d, "log.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if "args" in r and head is None:
                head = r
            elif "valid" in r:
                points.append((r["tokens"], r["valid"]))
            elif "train" in r and r.get("tok_per_cpu_s"):
                speeds.append(r["tok_per_cpu_s"])
    return head, points, speeds


def curve(spec):
    name, rest = spec.split("=", 1)
    dirs, metric, threshold = rest.rsplit(":", 2)
    stable, cooled, speeds, last_tokens = [], [], [], {}
    for d in dirs.split(","):
        is_cooldown = d.startswith("+")
        d = d.lstrip("+")
        head, points, sp = read_log(d)
        args = head["args"] if head else {}
        offset = 0
        init = args.get("init_from")
        if init and not init.endswith(".onnx") and os.path.abspath(init) in last_tokens:
            offset = last_tokens[os.path.abspath(init)]
        pts = [(t + offset, v[metric]) for t, v in points if metric in v]
        (cooled if is_cooldown else stable).extend(pts)
        speeds.extend(sp)
        if points:
            last_tokens[os.path.abspath(d)] = points[-1][0] + offset
    return name, metric, float(threshold), sorted(stable), sorted(cooled), speeds


def fit(points):
    xs = [math.log(t) for t, _ in points]
    ys = [v for _, v in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else 0.0
    return my - b * mx, b


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--curve", action="append", required=True)
    ap.add_argument("--md")
    ap.add_argument("--png")
    args = ap.parse_args()
    rows, curves = [], []
    for spec in args.curve:
        name, metric, thr, stable, cooled, speeds = curve(spec)
        if len(stable) < 2:
            raise SystemExit("%s: fewer than two stable-phase evaluations of %s" % (name, metric))
        a, b = fit(stable)
        now_tokens, now_value = stable[-1]
        best = max([v for _, v in stable + cooled])
        speed = statistics.median(speeds) if speeds else float("nan")
        if b > 0:
            need = math.exp((thr - a) / b)
            more_cpu_h = max(0.0, need - now_tokens) / speed / 3600
        else:
            need, more_cpu_h = float("inf"), float("inf")
        rows.append((name, metric, now_tokens, now_value, best, a, b, thr, need, speed, more_cpu_h))
        curves.append((name, metric, thr, stable, cooled, a, b))
    lines = ["| drafter | metric | tokens (last stable eval) | value there | best incl. cooldown | fit a + b ln N "
             "| threshold | tokens the fit needs | tokens / CPU-s | CPU-hours more (2 cores: wall hours = half) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, metric, nt, nv, best, a, b, thr, need, speed, h in rows:
        lines.append("| %s | %s | %.2fM | %.3f | %.3f | %.3f + %.4f ln N | %.2f | %s | %.0f | %s |" % (
            name, metric, nt / 1e6, nv, best, a, b, thr,
            "%.3gM" % (need / 1e6) if math.isfinite(need) else "never (flat)", speed,
            "%.1f" % h if math.isfinite(h) else "inf"))
    text = "\n".join(lines) + "\n"
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    print(text, end="")
    if args.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 3.6), squeeze=False)
        for ax, (name, metric, thr, stable, cooled, a, b) in zip(axes[0], curves):
            xs = [t for t, _ in stable]
            ax.plot([t / 1e6 for t in xs], [v for _, v in stable], "o", label="stable phase")
            if cooled:
                ax.plot([t / 1e6 for t, _ in cooled], [v for _, v in cooled], "s", label="cooldown")
            hi = max(xs) * 8
            grid = [min(xs) * (hi / min(xs)) ** (i / 50) for i in range(51)]
            ax.plot([g / 1e6 for g in grid], [a + b * math.log(g) for g in grid], "-", lw=1, label="fit")
            ax.axhline(thr, ls="--", c="gray", lw=1, label="threshold %.2f" % thr)
            ax.set_xscale("log")
            ax.set_xlabel("training tokens (M)")
            ax.set_ylabel(metric)
            ax.set_title(name)
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.png, dpi=110)


if __name__ == "__main__":
    main()
