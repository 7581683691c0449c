#!/bin/bash
cd "$(dirname "$0")/../../.."  # the checkout
J=eval/results/2026-12-04-adaptive/jdk-heldout-9.jsonl; NL=eval/results/2026-12-04-adaptive/natural-language-10.jsonl; B="--max-new-tokens 128 --repeats 4 --warmup 1"
lscpu | head -20 > eval/results/2026-12-04-adaptive/lscpu.txt
/work/bin/cpu-time ./specdec bench --pass-costs --refresh > eval/results/2026-12-04-adaptive/passcosts.txt 2>&1
/work/bin/cpu-time ./specdec bench --pass-costs --json > eval/results/2026-12-04-adaptive/bench-passcosts.json 2>/dev/null
run() { name=$1; shift; /work/bin/cpu-time ./specdec bench "$@" --json > eval/results/2026-12-04-adaptive/bench-$name.json 2>eval/results/2026-12-04-adaptive/bench-$name.err; }
run draft --prompts $J $B $(for k in 1 2 3 4 5 6 7 8; do echo --config d$k=drafter=draft,k=$k; done) --config dauto=drafter=draft,k=8,budget=auto
run medusa --prompts $J $B $(for t in chain-4 medusa-8 medusa-16 medusa-32 medusa-63; do echo --config $t=drafter=medusa,tree=$t; done) --config medauto=drafter=medusa,tree=medusa-63,budget=auto
run mtp --prompts $J $B $(for k in 1 2 3 4 5 6 7 8; do echo --config m$k=drafter=mtp,k=$k; done) --config mtpauto=drafter=mtp,k=8,budget=auto
run nl --prompts $NL $B --config d4=drafter=draft,k=4 --config dauto=drafter=draft,k=8,budget=auto --config medusa-8=drafter=medusa,tree=medusa-8 --config medauto=drafter=medusa,tree=medusa-63,budget=auto --config m2=drafter=mtp,k=2 --config mtpauto=drafter=mtp,k=8,budget=auto

