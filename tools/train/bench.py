#!/usr/bin/python3
"""Training throughput of a model config (random tokens; fwd + bwd + AdamW step).

  bench.py --config target --seq 256 --micro-tokens 4096 --seconds 30 --threads 2
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tok  # noqa: E402,F401  (sets threads on import; set ours afterwards)
import model as M  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="target")
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--micro-tokens", type=int, default=4096)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cfg = M.CONFIGS[a.config]
    m = M.LlamaLM(cfg).to(a.device)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    bs = max(1, a.micro_tokens // a.seq)
    amp = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if a.device == "cuda" else \
        (lambda: torch.autocast("cpu", enabled=False))
    n, t0, first = 0, None, True
    while True:
        x = torch.randint(0, cfg.vocab, (bs, a.seq + 1), device=a.device)
        with amp():
            lg, _ = m(x[:, :-1])
            loss = F.cross_entropy(lg.float().flatten(0, 1), x[:, 1:].flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if a.device == "cuda":
            torch.cuda.synchronize()
        if first:  # warm-up step not timed
            first, t0 = False, time.time()
            continue
        n += bs * a.seq
        if time.time() - t0 >= a.seconds:
            break
    dt = time.time() - t0
    print("%s (%.2fM params) seq %d batch %d, %d threads, %s: %.0f tokens/s (%d tokens in %.1f s)"
          % (a.config, m.num_params() / 1e6, a.seq, bs, torch.get_num_threads(), a.device, n / dt, n, dt))


if __name__ == "__main__":
    main()
