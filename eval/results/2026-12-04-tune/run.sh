#!/bin/bash
# Issue 15's last two parts, measured on the shipped family (models/specdec-java). Every timed run
# goes through /work/bin/cpu-time: an exclusive CPU lock with the background training paused.
set -u
cd "$(dirname "$0")/../../.."  # the checkout
R=${R:-eval/results/2026-12-04-tune}  # another results directory: R=DIR run.sh (it must hold the prompt subsets)
J=$R/jdk-heldout-9.jsonl; NL=$R/natural-language-10.jsonl
lscpu > $R/lscpu.txt
CONFIGS=(
  --config none=drafter=none
  --config d1=drafter=draft,k=1 --config d2=drafter=draft,k=2 --config d4=drafter=draft,k=4
  --config d8=drafter=draft,k=8 --config draft-medusa-8=drafter=draft,tree=medusa-8
  --config dauto=drafter=draft,k=8,budget=auto
  --config lookup-k4=drafter=lookup,k=4 --config lookup-k8=drafter=lookup,k=8
  --config lookup+draft=drafter=lookup+draft,k=4
  --config chain-4=drafter=medusa,tree=chain-4 --config medusa-8=drafter=medusa,tree=medusa-8
  --config medusa-16=drafter=medusa,tree=medusa-16 --config medusa-63=drafter=medusa,tree=medusa-63
  --config medauto=drafter=medusa,tree=medusa-63,budget=auto
  --config m1=drafter=mtp,k=1,depth=1 --config m2=drafter=mtp,k=2,depth=2
  --config m4=drafter=mtp,k=4,depth=4 --config m2b2=drafter=mtp,k=6,depth=2,mtp-branches=2
  --config mtpauto=drafter=mtp,k=8,depth=8,budget=auto
)
# 1. Predicted vs observed speedup per config (specdec eval: one speculative and one plain run per
#    prompt after one warm-up, 128 new tokens).
if [ "${1:-all}" = all ] || [ "$1" = eval ]; then
  /work/bin/cpu-time ./specdec eval --prompts $J --max-new-tokens 128 --warmup 1 "${CONFIGS[@]}" \
      --out $R/eval-jdk --force > $R/eval-jdk.log 2>&1
  /work/bin/cpu-time ./specdec eval --prompts $NL --max-new-tokens 128 --warmup 1 "${CONFIGS[@]}" \
      --out $R/eval-nl --force > $R/eval-nl.log 2>&1
fi
# 2. specdec tune over both prompt subsets (19 categories), the default sweep.
if [ "${1:-all}" = all ] || [ "$1" = tune ]; then
  cat $J $NL > $R/jdk9+nl10.jsonl
  /work/bin/cpu-time ./specdec tune --prompts $R/jdk9+nl10.jsonl --profile $R/profile.json \
      --max-new-tokens 64 --sweep-tokens 48 --shortlist 2 --repeats 3 --warmup 1 \
      --raw $R/tune-raw > $R/tune.txt 2> $R/tune.err
fi
