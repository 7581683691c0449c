#!/usr/bin/python3
"""Writes held-out documents (source files of the held-out packages, in split order) as files, for
`specdec perplexity --text-file ...`: every document, or every N-th (--every N, starting with the
first). The model card's validation figures are measured on --every 6 (53 of 313 files).

  heldout_files.py --out DIR [--every N] [--data $SPECDEC_TRAIN_WORK/data]

Prints the written paths, one per line.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workdir import WORK  # noqa: E402
DOC_SEP = "\x1c"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(WORK, "data"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--every", type=int, default=1)
    a = ap.parse_args()
    if a.every < 1:
        sys.exit("--every must be >= 1, was %d" % a.every)
    with open(os.path.join(a.data, "valid.txt"), encoding="utf-8", newline="") as f:
        docs = f.read().split(DOC_SEP)[:-1]
    os.makedirs(a.out, exist_ok=True)
    for i in range(0, len(docs), a.every):
        path = os.path.join(a.out, "heldout-%03d.java" % i)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(docs[i])
        print(path)


if __name__ == "__main__":
    main()
