"""Tokenizer conventions shared by the training tools (sentencepiece side + HF tokenizer.json).

sentencepiece cannot learn pieces that contain a newline (its trainer reads one sentence per line),
and for code "\\n" followed by indentation or preceded by ";" / "{" is the most frequent pattern. So
the text is normalized before sentencepiece sees it: "\\n" -> NL (U+E000, a private-use code point),
" " -> U+2581 as usual. The HF tokenizer.json does the same in its normalizer and undoes it in its
decoder, so the runtime (DJL / HF tokenizers) needs no special handling. No dummy prefix: a text is
encoded exactly as written (decode(encode(x)) == x for every x without U+E000 / U+2581).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import make_test_models as mtm  # noqa: E402  (sp_to_hf_json, Decoder, export, numpy interpreter)

NL = "\ue000"
WS = "\u2581"
UNK, BOS, EOS = 0, 1, 2


def to_sp(text):
    return text.replace("\n", NL)


def from_sp(text):
    return text.replace(NL, "\n")


class Tokenizer:
    """sentencepiece model + the newline convention (what train.py tokenizes with)."""

    def __init__(self, model_file):
        import sentencepiece as spm
        self.sp = spm.SentencePieceProcessor(model_file=model_file)
        self.vocab_size = self.sp.get_piece_size()

    def encode(self, text):
        return self.sp.encode(to_sp(text))

    def encode_batch(self, texts):
        return self.sp.encode([to_sp(t) for t in texts])

    def decode(self, ids):
        return from_sp(self.sp.decode(ids))


def hf_json(sp):
    """HF tokenizer.json for a sentencepiece BPE model trained with the NL convention and
    add_dummy_prefix=false: make_test_models.sp_to_hf_json (merges, vocab, byte fallback) with the
    normalizer/decoder adapted (no Prepend/Strip; "\\n" <-> NL)."""
    tok = mtm.sp_to_hf_json(sp)
    tok["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "Replace", "pattern": {"String": " "}, "content": WS},
        {"type": "Replace", "pattern": {"String": "\n"}, "content": NL},
    ]}
    tok["decoder"] = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": WS}, "content": " "},
        {"type": "Replace", "pattern": {"String": NL}, "content": "\n"},
        {"type": "ByteFallback"},
        {"type": "Fuse"},
    ]}
    return tok
