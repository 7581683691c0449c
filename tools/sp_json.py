"""Hugging Face tokenizer.json for a sentencepiece-style BPE vocabulary, with numpy-free Python only.

Same output format as make_test_models.sp_to_hf_json (Llama / sentencepiece style: "\u2581" for
spaces, byte fallback, no automatic BOS), but from a plain list of pieces, so that importers can use
it without the sentencepiece package (llama2.c's tokenizer.bin carries pieces and scores only).
"""

UNKNOWN, CONTROL, BYTE, NORMAL = "unknown", "control", "byte", "normal"
UNUSED = "unused"  # sentencepiece's unused pieces: neither merged nor added tokens


def pieces_to_hf_json(pieces):
    """pieces: list of (piece, score, kind) in id order; kind is one of UNKNOWN, CONTROL, BYTE,
    UNUSED, NORMAL. Merges follow HF's SentencePieceExtractor: every split of a normal piece into two normal
    pieces, ranked by the merged piece's score (descending), ties by id."""
    vocab = {}
    for i, (p, _, _) in enumerate(pieces):
        if p in vocab:
            raise ValueError("piece %r appears twice (ids %d and %d)" % (p, vocab[p], i))
        vocab[p] = i
    normal = {p: s for p, s, k in pieces if k == NORMAL}
    merges = []
    for piece in sorted(normal, key=lambda p: vocab[p]):
        local = []
        for k in range(1, len(piece)):
            left, right = piece[:k], piece[k:]
            if left in normal and right in normal:
                local.append((left, right, normal[piece], vocab[piece]))
        local.sort(key=lambda x: (vocab[x[0]], vocab[x[1]]))
        merges.extend(local)
    merges.sort(key=lambda m: (-m[2], m[3]))
    unk = [p for p, _, k in pieces if k == UNKNOWN]
    added = [{"id": i, "content": p, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True}
             for i, (p, _, k) in enumerate(pieces) if k in (UNKNOWN, CONTROL)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
        ]},
        "pre_tokenizer": None,
        "post_processor": None,  # no automatic BOS: the specdec runtime adds BOS itself
        "decoder": {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ]},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": unk[0] if unk else None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": True,
            "byte_fallback": True,
            "vocab": vocab,
            "merges": ["%s %s" % (l, r) for (l, r, _, _) in merges],
        },
    }
