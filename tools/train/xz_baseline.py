#!/usr/bin/python3
"""Bits per byte of a general-purpose compressor on the held-out split, file by file: the bar a
language model of the same text has to clear (issue 16). Every held-out document (one source file)
is compressed on its own with `xz -9e` (LZMA2, extreme preset; the .xz container's ~60 bytes of
header and index included, as a user compressing the file would get), bpb = 8 * compressed bytes /
raw UTF-8 bytes over all files.

  xz_baseline.py [--data $SPECDEC_TRAIN_WORK/data] [--out FILE.json]
"""
import argparse
import json
import lzma
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workdir import WORK  # noqa: E402
DOC_SEP = "\x1c"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(WORK, "data"))
    ap.add_argument("--out")
    a = ap.parse_args()
    with open(os.path.join(a.data, "valid.txt"), encoding="utf-8", newline="") as f:
        docs = f.read().split(DOC_SEP)[:-1]
    raw = comp = 0
    for d in docs:
        b = d.encode("utf-8")
        raw += len(b)
        comp += len(lzma.compress(b, format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME))
    res = {"compressor": "xz -9e (python lzma, preset 9|EXTREME), each file on its own", "files": len(docs),
           "bytes": raw, "compressed_bytes": comp, "bpb": round(8 * comp / raw, 4)}
    print(json.dumps(res))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
