#!/usr/bin/env python3
"""Writes testdata/bad-models/short-rope-table.onnx: test-tiny's draft model with metadata that
claims specdec.max_positions = 1024 while its rotary tables (rope_cos, rope_sin) keep 256 rows.

It loads and decodes like any contract model until position 256, where ONNX Runtime's Gather on
the rotary table fails: the fixture for how specdec reports a model that fails mid-decode.

Needs only the onnx package:  /usr/bin/python3 tools/make_short_rope_fixture.py
"""
import os

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "models", "test-tiny", "draft.onnx")
TARGET = os.path.join(ROOT, "testdata", "bad-models", "short-rope-table.onnx")
DECLARED = 1024


def main():
    model = onnx.load(SOURCE)
    rows = {i.name: i.dims[0] for i in model.graph.initializer if i.name in ("rope_cos", "rope_sin")}
    assert rows == {"rope_cos": 256, "rope_sin": 256}, rows
    for prop in model.metadata_props:
        if prop.key == "specdec.max_positions":
            prop.value = str(DECLARED)
        if prop.key == "specdec.name":
            prop.value = "short-rope-table"
    onnx.save(model, TARGET)
    print("wrote", TARGET)


if __name__ == "__main__":
    main()
