#!/usr/bin/env python3
"""Predicted vs observed per config from the eval reports (Markdown table on stdout)."""
import json, sys
for name in sys.argv[1:]:
    r = json.load(open(name + '/report.json'))
    print(f"\n{name}: {r['prompts']} prompts, {r['maxNewTokens']} new tokens\n")
    print("| config | predicted | observed [95% CI] | error | Leviathan | τ | overhead µs/pass | within 10 % |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for c in r['configs']:
        m = c['overall']
        ci = m['observedSpeedupCi']
        err = m['predictionError']
        lev = m['leviathanSpeedup']
        print(f"| {c['name']} | {m['predictedSpeedup']:.3f}x | {m['observedSpeedup']:.3f}x "
              f"[{ci[0]:.2f}, {ci[1]:.2f}] | {100*err:+.1f}% | "
              + (f"{lev:.2f}x" if lev is not None else "n/a")
              + f" | {m['meanAcceptedLength']:.2f} | {m['predictionOverheadNanos']/1e3:.0f} | "
              f"{'yes' if abs(err) <= 0.10 else '**no**'} |")
