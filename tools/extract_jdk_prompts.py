#!/usr/bin/python3
"""Held-out JDK code prefixes for `specdec eval`: eval/prompts/jdk-heldout.jsonl.

  /usr/bin/python3 tools/extract_jdk_prompts.py [--src-zip PATH] [--per-package N] [--out FILE]

Deterministic (same src.zip -> byte-identical output). For each package that the model family holds
out of training (HELDOUT_PACKAGES of tools/train/prepare_data.py: exact packages, no sub-packages):
  1. its *.java files of src.zip in sorted order, normalized and license-stripped exactly as the
     training data is (prepare_data.normalize);
  2. files are visited at evenly spaced positions of that order until N prompts are found;
  3. import lines are dropped (boilerplate that would eat a small model's context); when the rest
     still has no boundary (below) in range, the javadoc comment right before the first type
     declaration is dropped too (java.time's class comments alone run to thousands of characters);
  4. a file's prompt is its beginning (package, class header, first members) up to the last
     class-member boundary -- the end of a line that closes a member at class level (a '}' or ';'
     at brace depth 1, comments and string/char literals skipped) -- that keeps it within
     MAX_CHARS; files with no such boundary between MIN_CHARS and MAX_CHARS are skipped.
One JSON object per line: "id" (module/path inside src.zip), "category" (the package), "prompt".
"""
import argparse
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "train"))
from prepare_data import HELDOUT_PACKAGES, find_zip, normalize  # noqa: E402

MIN_CHARS = 300
MAX_CHARS = 1500
DEFAULT_OUT = os.path.join(HERE, "..", "eval", "prompts", "jdk-heldout.jsonl")


def member_boundaries(text):
    """Offsets just past the newline of each line that ends a class-level member."""
    out = []
    depth = 0
    i = 0
    n = len(text)
    pending = False  # a member closed on this line; the boundary is the end of the line
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if text.startswith('"""', i):
            j = text.find('"""', i + 3)
            i = n if j < 0 else j + 3
            continue
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 1:
                pending = True
        elif c == ";" and depth == 1:
            pending = True
        elif c == "\n" and pending:
            out.append(i + 1)
            pending = False
        i += 1
    return out


def prefix(text):
    best = None
    for b in member_boundaries(text):
        if b > MAX_CHARS:
            break
        if b >= MIN_CHARS:
            best = b
    return None if best is None else text[:best]


IMPORT_RE = re.compile(r"^import [^;\n]+;\n", re.M)
TYPE_DOC_RE = re.compile(
    r"/\*\*(?:(?!\*/).)*\*/\n(?=(?:@[^\n]*\n)*(?:public |final |abstract |sealed |non-sealed |strictfp )*"
    r"(?:class|interface|enum|record|@interface) )", re.S)


def candidates(text):
    """The file without imports (collapsing the blank lines they leave), then also without the
    first type's javadoc."""
    text = re.sub(r"\n{3,}", "\n\n", IMPORT_RE.sub("", text))
    yield text
    yield TYPE_DOC_RE.sub("", text, count=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src-zip")
    ap.add_argument("--per-package", type=int, default=7)
    ap.add_argument("--out", default=DEFAULT_OUT)
    a = ap.parse_args()
    z = zipfile.ZipFile(find_zip(a.src_zip))
    by_package = {}
    for name in sorted(i.filename for i in z.infolist() if i.filename.endswith(".java")):
        parts = name.split("/")
        package = ".".join(parts[1:-1])
        if package in HELDOUT_PACKAGES and parts[-1] not in ("package-info.java", "module-info.java"):
            by_package.setdefault(package, []).append(name)
    lines = []
    for package in HELDOUT_PACKAGES:
        names = by_package.get(package, [])
        # Evenly spaced first, then the rest in order, so small packages still fill up.
        step = max(1, len(names) // a.per_package)
        order = names[::step] + [x for x in names if x not in names[::step]]
        found = 0
        for name in order:
            if found == a.per_package:
                break
            text = normalize(z.read(name).decode("utf-8"), False)
            p = next((q for q in map(prefix, candidates(text)) if q is not None), None)
            if p is None:
                continue
            lines.append(json.dumps({"id": name, "category": package, "prompt": p}, ensure_ascii=False))
            found += 1
        print(f"{package}: {found} prompts from {len(names)} files", file=sys.stderr)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} prompts -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
