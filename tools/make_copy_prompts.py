#!/usr/bin/python3
"""Java prompts that invite copying, for the prompt-lookup drafter (issue 8).

  /usr/bin/python3 tools/make_copy_prompts.py [--src-zip PATH] [--out eval/prompts/jdk-copy.jsonl]

Each prompt is the start of a held-out JDK class (license header stripped exactly as the training
corpus is, so the model family has never seen these files) cut after a complete method, followed by
the start of a near-copy of one method of that prefix: the same signature with the method renamed,
and the first line of its body. A model that continues it well re-types a block that is already in
its context, which is the case prompt lookup is built for.

Deterministic: the same src.zip gives byte-identical output. Needs only the Python standard library
and openjdk-17-source (`apt-get install openjdk-17-source`).
"""
import argparse
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "train"))
import prepare_data as D  # noqa: E402  (same license stripping and held-out package list)

METHOD_RE = re.compile(
    r"^    (?:(?:public|protected|private|static|final|synchronized|abstract|default)\s+)+"
    r"[\w<>\[\], ?]+\s+(\w+)\(([^)]*)\)[^;{]*\{\s*$", re.M)
MAX_PREFIX = 3000      # characters of class text before the near-copy (~600 tokens)
MIN_BODY_LINES, MAX_BODY_LINES = 4, 20
PER_PACKAGE = 3


def method_spans(text):
    """(name, start, header end, end) of every method at class indentation with a brace body."""
    spans = []
    for m in METHOD_RE.finditer(text):
        close = text.find("\n    }\n", m.end())
        if close < 0:
            continue
        spans.append((m.group(1), m.start(), m.end(), close + len("\n    }\n")))
    return spans


def prompt_of(text):
    """The class prefix + near-copy start, or None when the file has no suitable method."""
    spans = [s for s in method_spans(text) if s[3] <= MAX_PREFIX]
    candidates = [s for s in spans
                  if MIN_BODY_LINES <= text.count("\n", s[2], s[3]) <= MAX_BODY_LINES]
    if len(spans) < 2 or not candidates:
        return None
    name, start, header_end, _ = candidates[-1]
    prefix = text[:spans[-1][3]]
    header = text[start:header_end]
    body = text[header_end:].lstrip("\n")
    first_line = body[:body.index("\n") + 1]
    renamed = re.sub(r"\b%s\(" % re.escape(name), name + "Copy(", header, count=1)
    return prefix + "\n" + renamed + "\n" + first_line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src-zip")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "eval", "prompts", "jdk-copy.jsonl"))
    args = ap.parse_args()
    zpath = D.find_zip(args.src_zip)
    rows = []
    with zipfile.ZipFile(zpath) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".java"))
        for package in D.HELDOUT_PACKAGES:
            taken = 0
            for n in names:
                parts = n.split("/")
                if ".".join(parts[1:-1]) != package or taken == PER_PACKAGE:
                    continue
                text = D.normalize(z.read(n).decode("utf-8"), keep_license=False)
                prompt = prompt_of(text)
                if prompt is None:
                    continue
                taken += 1
                rows.append({"id": "copy-" + "/".join(parts[1:]), "category": package,
                             "prompt": prompt})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} prompts -> {args.out}")


if __name__ == "__main__":
    main()
