#!/usr/bin/python3
"""Corpus for the default specdec model family: the JDK 17 sources (src.zip of openjdk-17-source).

  /usr/bin/python3 tools/train/prepare_data.py [--src-zip PATH] [--out $SPECDEC_TRAIN_WORK/data]

Steps (deterministic; same src.zip -> byte-identical output):
  1. every *.java entry of src.zip (module/package/File.java), decoded as UTF-8 (strict);
  2. normalize line endings (CRLF/CR -> LF), drop a leading BOM, ensure one final LF;
  3. strip the leading license comment (the GPL/Oracle header repeated in ~every file; kept with
     --keep-license) -- it is ~10 % of the bytes, trivially memorised, and would flatter the
     validation loss;
  4. drop generated data tables (EXCLUDED_MODULES / EXCLUDED_PACKAGES below, and any file whose
     content is mostly \\uXXXX escapes or over 1 MB) -- they are not "ordinary code";
  5. exact deduplication by sha256 of the normalized content (first path in sorted order wins);
  6. split by whole packages: HELDOUT_PACKAGES (exact package names, sub-packages are NOT included)
     go to valid.txt, everything else to train.txt.

Output format: documents (one per source file) in sorted path order, each followed by the ASCII
file-separator character U+001C ("\\x1c"), which never occurs in the sources (checked). The manifest
(manifest.json) lists counts, bytes, the held-out packages and every document's path/offset.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from workdir import WORK  # noqa: E402
DEFAULT_ZIPS = ["/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip", "/usr/lib/jvm/openjdk-17/lib/src.zip"]
DOC_SEP = "\x1c"

# Generated tables: locale data, charset mapping tables, font/charset tables.
EXCLUDED_MODULES = ["jdk.localedata", "jdk.charsets"]
EXCLUDED_PACKAGES = ["sun.nio.cs", "sun.text.resources", "sun.util.resources",
                     "sun.util.resources.cldr", "sun.util.resources.cldr.provider",
                     "sun.text.resources.cldr", "sun.util.resources.provider"]
MAX_FILE_BYTES = 1 << 20
MAX_ESCAPE_FRACTION = 0.25   # share of characters inside \\uXXXX escapes

# Held out (validation + evaluation): whole packages of ordinary library code from four modules,
# ~4-5 % of the corpus: a whole API family (java.time.*), stream pipelines, a Swing text
# framework, an XML DOM implementation and an HTTP client.
HELDOUT_PACKAGES = [
    "java.time", "java.time.chrono", "java.time.format", "java.time.temporal", "java.time.zone",
    "java.util.stream",
    "javax.swing.text",
    "com.sun.org.apache.xerces.internal.dom",
    "jdk.internal.net.http",
]

LICENSE_RE = re.compile(r"\A\s*/\*.*?\*/[ \t]*\n", re.S)


def find_zip(path):
    for p in ([path] if path else DEFAULT_ZIPS):
        if p and os.path.exists(p):
            return p
    sys.exit("src.zip not found; apt-get install -y openjdk-17-source (or pass --src-zip)")


def normalize(text, keep_license):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not keep_license:
        while True:  # some files carry two headers (Oracle's + the original author's, or
            # Oracle's "reserved comment block / DO NOT REMOVE OR ALTER!" + Apache's)
            m = LICENSE_RE.match(text)
            if not (m and re.search(r"copyright|license|reserved comment block", m.group(0), re.I)):
                break
            text = text[m.end():].lstrip("\n")
    text = text.rstrip("\n") + "\n"
    return text


def excluded(module, package, text):
    if module in EXCLUDED_MODULES:
        return "module"
    if package in EXCLUDED_PACKAGES:
        return "package"
    n = len(text.encode("utf-8"))
    if n > MAX_FILE_BYTES:
        return "size"
    if n and 6 * len(re.findall(r"\\u[0-9a-fA-F]{4}", text)) > MAX_ESCAPE_FRACTION * len(text):
        return "escapes"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src-zip")
    ap.add_argument("--out", default=os.path.join(WORK, "data"))
    ap.add_argument("--keep-license", action="store_true")
    a = ap.parse_args()
    zpath = find_zip(a.src_zip)
    os.makedirs(a.out, exist_ok=True)
    zsha = hashlib.sha256(open(zpath, "rb").read()).hexdigest()
    z = zipfile.ZipFile(zpath)
    names = sorted(i.filename for i in z.infolist() if i.filename.endswith(".java"))
    stats = {"java_files": len(names), "java_bytes": 0, "excluded": {}, "excluded_bytes": 0,
             "duplicates": 0, "duplicate_bytes": 0, "license_stripped_bytes": 0, "non_utf8": 0}
    seen = {}
    docs = {"train": [], "valid": []}
    for name in names:
        raw = z.read(name)
        stats["java_bytes"] += len(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            stats["non_utf8"] += 1
            continue
        parts = name.split("/")
        module, package = parts[0], ".".join(parts[1:-1])
        full = normalize(text, True)
        text = normalize(text, a.keep_license)
        stats["license_stripped_bytes"] += len(full.encode()) - len(text.encode())
        why = excluded(module, package, text)
        if why:
            stats["excluded"][why] = stats["excluded"].get(why, 0) + 1
            stats["excluded_bytes"] += len(raw)
            continue
        assert DOC_SEP not in text, name
        h = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if h in seen:
            stats["duplicates"] += 1
            stats["duplicate_bytes"] += len(text.encode())
            continue
        seen[h] = name
        split = "valid" if package in HELDOUT_PACKAGES else "train"
        docs[split].append((name, package, text))
    manifest = {"source": zpath, "source_sha256": zsha, "doc_separator": "U+001C after every document",
                "license_header": "kept" if a.keep_license else "stripped",
                "excluded_modules": EXCLUDED_MODULES, "excluded_packages": EXCLUDED_PACKAGES,
                "max_file_bytes": MAX_FILE_BYTES, "max_escape_fraction": MAX_ESCAPE_FRACTION,
                "heldout_packages": HELDOUT_PACKAGES, "stats": stats, "splits": {}}
    for split, ds in docs.items():
        path = os.path.join(a.out, split + ".txt")
        off, files = 0, []
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for name, pkg, text in ds:
                f.write(text + DOC_SEP)
                n = len((text + DOC_SEP).encode("utf-8"))
                files.append([name, off, n])
                off += n
        pk = {}
        for name, pkg, text in ds:
            pk[pkg] = pk.get(pkg, 0) + 1
        manifest["splits"][split] = {"file": split + ".txt", "files": len(ds), "bytes": off,
                                     "chars": sum(len(t) + 1 for _, _, t in ds),
                                     "lines": sum(t.count("\n") for _, _, t in ds),
                                     "packages": len(pk),
                                     "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
                                     "documents": files}
    missing = [p for p in HELDOUT_PACKAGES if not any(d[1] == p for d in docs["valid"])]
    assert not missing, missing
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    tr, va = manifest["splits"]["train"], manifest["splits"]["valid"]
    print("src.zip %s: %d .java files, %.1f MB" % (zpath, stats["java_files"], stats["java_bytes"] / 1e6))
    print("excluded %s (%.1f MB), duplicates %d (%.1f MB), license headers stripped %.1f MB, non-UTF-8 %d"
          % (stats["excluded"], stats["excluded_bytes"] / 1e6, stats["duplicates"],
             stats["duplicate_bytes"] / 1e6, stats["license_stripped_bytes"] / 1e6, stats["non_utf8"]))
    print("train: %d files, %d packages, %.2f MB" % (tr["files"], tr["packages"], tr["bytes"] / 1e6))
    print("valid: %d files, %d packages, %.2f MB (%.1f %% of bytes)"
          % (va["files"], va["packages"], va["bytes"] / 1e6, 100 * va["bytes"] / (tr["bytes"] + va["bytes"])))


if __name__ == "__main__":
    main()
