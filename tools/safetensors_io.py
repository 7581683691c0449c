"""A small reader and writer for the safetensors format, with numpy only (the safetensors package is
not installable here: Debian bookworm has no python3-safetensors).

Format: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON {name: {"dtype", "shape",
"data_offsets": [begin, end]}, optional "__metadata__": {str: str}}, then the data buffer; offsets
are relative to the buffer, tensors are C-order little-endian.
"""

import json
import struct

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2",
          "I8": "i1", "U8": "u1", "BOOL": "?"}
BF16 = "BF16"


def read(path):
    """Returns ({name: np.ndarray}, metadata dict). BF16 tensors are widened to float32."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("%s: too short for a safetensors file (%d bytes)" % (path, len(data)))
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError("%s: header length %d exceeds the file (%d bytes)" % (path, n, len(data)))
    header = json.loads(data[8:8 + n].decode("utf-8"))
    buf = memoryview(data)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        dtype = info["dtype"]
        if not 0 <= begin <= end <= len(buf):
            raise ValueError("%s: tensor %s has offsets %s outside the data (%d bytes)"
                             % (path, name, info["data_offsets"], len(buf)))
        raw = bytes(buf[begin:end])
        if dtype == BF16:
            bits = np.frombuffer(raw, "<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        elif dtype in DTYPES:
            arr = np.frombuffer(raw, DTYPES[dtype])
        else:
            raise ValueError("%s: tensor %s has unsupported dtype %s (supported: %s)"
                             % (path, name, dtype, sorted(DTYPES) + [BF16]))
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError("%s: tensor %s has %d elements, shape %s needs %d"
                             % (path, name, arr.size, shape, int(np.prod(shape))))
        out[name] = arr.reshape(shape).copy()
    return out, meta


def write(path, tensors, metadata=None):
    """Writes {name: np.ndarray} (float32/float16/int) in name order, 8-byte aligned header."""
    names = sorted(tensors)
    reverse = {np.dtype(v).str: k for k, v in DTYPES.items()}
    header, offset, blobs = {}, 0, []
    for name in names:
        a = np.ascontiguousarray(tensors[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        key = a.dtype.str if a.dtype.str in reverse else np.dtype(a.dtype).str
        if key not in reverse:
            raise ValueError("tensor %s: unsupported dtype %s" % (name, a.dtype))
        raw = a.tobytes()
        header[name] = {"dtype": reverse[key], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
