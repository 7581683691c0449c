#!/usr/bin/env python3
"""Predicted vs observed per config for both prompt sets side by side (Markdown)."""
import json
def load(d):
    r = json.load(open(d + '/report.json'))
    return {c['name']: (c['spec'], c['overall']) for c in r['configs']}
jdk, nl = load('eval-jdk'), load('eval-nl')
print("| config | spec | JDK predicted | JDK observed | JDK error | NL predicted | NL observed | NL error | Leviathan JDK / NL |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for name, (spec, j) in jdk.items():
    n = nl[name][1]
    lev = lambda m: "n/a" if m['leviathanSpeedup'] is None else f"{m['leviathanSpeedup']:.2f}x"
    mark = lambda e: f"{100*e:+.1f}%" + ("" if abs(e) <= 0.10 else " **x**")
    short = spec.replace(",temperature=0.0,top-k=0,top-p=1.0", "")
    print(f"| {name} | `{short}` | {j['predictedSpeedup']:.3f}x | {j['observedSpeedup']:.3f}x | {mark(j['predictionError'])} "
          f"| {n['predictedSpeedup']:.3f}x | {n['observedSpeedup']:.3f}x | {mark(n['predictionError'])} | {lev(j)} / {lev(n)} |")
