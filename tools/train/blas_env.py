"""Pick OpenBLAS's kernel set for this CPU before torch loads it, and check it computes right.

Debian's OpenBLAS 0.3.21 names cores it does not know after an older family and runs slower kernels
(measured 2026-12-03 on an Intel Xeon with AVX-512: detected `Prescott`, 16.7 GFLOP/s per core for
a 1024^2 float32 matmul, 96 GFLOP/s with OPENBLAS_CORETYPE=SapphireRapids; 2026-12-04 on an AMD
EPYC with avx512_bf16: detected `Cooperlake`, slower than `Zen`/`Haswell`). The core type can only
be chosen through the environment before the library is loaded, so `ensure()` probes candidate
core types in child processes (a timed matmul each, checked against float64), then re-executes
the calling script with the fastest correct one. Machines change from session to session, so the
choice is keyed by the CPU (model name and flags) and probed again on any other CPU; it is cached
under ~/.cache/specdec/ only for this CPU, with a lock, so that runs started together (pilots) probe
once instead of timing each other's contention. A candidate must beat OpenBLAS's own choice by 5 %
to be picked. An explicit OPENBLAS_CORETYPE is respected.
"""
import fcntl
import hashlib
import json
import os
import subprocess
import sys

ENV_MARK = "SPECDEC_BLAS_CHOSEN"
PROBE = r"""
import json, os, time, torch
torch.set_num_threads(1)
g = torch.Generator().manual_seed(0)
n = 1024
a, b = torch.randn(n, n, generator=g), torch.randn(n, n, generator=g)
for _ in range(3):
    a @ b
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    for _ in range(4):
        c = a @ b
    best = min(best, (time.perf_counter() - t) / 4)
ref = a.double() @ b.double()
err = ((c.double() - ref).abs().max() / ref.abs().max()).item()
print(json.dumps({"gflops": 2 * n ** 3 / best / 1e9, "rel_err": err}))
"""
MAX_REL_ERR = 1e-5  # float32 accumulation of 1024 products is ~1e-6 relative; a wrong kernel is far off


MIN_GAIN = 1.05
CACHE_DIR = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "specdec")


def cpu_key():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return hashlib.sha256((model + "|" + " ".join(sorted(cpu_flags()))).encode()).hexdigest()[:16]


def cpu_flags():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def candidates(flags):
    """Core types worth probing, the one the CPU flags suggest first; None = OpenBLAS's own pick."""
    by_flags = []
    if "amx_tile" in flags or "avx512_bf16" in flags:
        by_flags.append("SapphireRapids")
    if "avx512f" in flags:
        by_flags += ["SkylakeX", "Zen"] if "avx512_bf16" not in flags else ["SkylakeX", "Zen", "Cooperlake"]
    if "avx2" in flags:
        by_flags.append("Haswell")
    return list(dict.fromkeys(by_flags)) + [None]


def probe(core):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    env["OMP_NUM_THREADS"] = "1"
    if core:
        env["OPENBLAS_CORETYPE"] = core
    try:
        out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                             timeout=120, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as e:
        return {"gflops": 0.0, "rel_err": float("inf"), "error": str(e)[:200]}


def choose():
    """(core type or None, {core: probe result}) — the fastest candidate whose result is right."""
    results = {}
    for core in candidates(cpu_flags()):
        results[core or "default"] = probe(core)
    ok = {c: r for c, r in results.items() if r["rel_err"] <= MAX_REL_ERR}
    if not ok:
        return None, results
    best = max(ok, key=lambda c: ok[c]["gflops"])
    if "default" in ok and ok[best]["gflops"] < MIN_GAIN * ok["default"]["gflops"]:
        best = "default"
    return (None if best == "default" else best), results


def cached_choice():
    """choose(), once per CPU: later calls on the same CPU read the result (under a lock)."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    path = os.path.join(CACHE_DIR, "blas-%s.json" % cpu_key())
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(path):
            with open(path) as f:
                rec = json.load(f)
            return rec["core"], rec["results"], path
        core, results = choose()
        with open(path + ".tmp", "w") as f:
            json.dump({"core": core, "results": results}, f)
        os.replace(path + ".tmp", path)
        return core, results, None


def ensure():
    """Call first thing in a training script: re-executes it under the chosen OPENBLAS_CORETYPE."""
    if os.environ.get(ENV_MARK) or os.environ.get("OPENBLAS_CORETYPE"):
        return
    core, results, cached = cached_choice()
    summary = {"chosen": core or "default", "probes": {c: {"gflops": round(r["gflops"], 1),
                                                         "rel_err": r["rel_err"]} for c, r in results.items()},
               "cached": cached}
    print("blas: " + json.dumps(summary), file=sys.stderr, flush=True)
    env = dict(os.environ, **{ENV_MARK: json.dumps(summary)})
    if core:
        env["OPENBLAS_CORETYPE"] = core
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def describe():
    """What the current process runs with, for logs and the model card."""
    chosen = os.environ.get(ENV_MARK)
    if chosen:
        return json.loads(chosen)
    return {"chosen": os.environ.get("OPENBLAS_CORETYPE", "default"), "probes": {}}
