#!/usr/bin/env python3
"""Rewrites a specdec contract model (decoder, Medusa heads, MTP module) or a whole bundle so that
every MatMul with a constant 2-D weight runs as ONNX Runtime's com.microsoft MatMulNBits: the
weight blockwise quantized to 8 or 4 bits, computed quantized (no fp32 copy of it at load).

  quantize.py IN OUT --bits 8|4 [--block 32] [--accuracy-level 4] [--reference] [--json]

IN is an .onnx file whose metadata says specdec.role (decoder, medusa, mtp), or a bundle directory
(specdec.json): then every model the manifest names is rewritten into the new directory OUT, the
tokenizer is copied, and the manifest gets "quantization": {ROLE: {"bits", "block",
"accuracyLevel"}}. OUT must not exist. Needs numpy and onnx only (Debian python3-numpy
python3-onnx).

What is rewritten. A MatMul's weight is constant when it is an initializer, a Constant, or a chain
of Cast / Mul / Div / Add / Sub / Transpose / Reshape / (Un)Squeeze / Identity / DequantizeLinear
over constants: the int8 + Cast + Mul storage of the exporters and fp16 casts are evaluated back to
fp32 first, then requantized. Left in fp32: weights that are not 2-D (batched heads) and signed
permutation matrices (RoPE's rotate-half: data movement, exact in fp32). Other consumers of a
weight's storage (the tied embedding's Gather) keep the original storage.

Quantization (per block of `block` consecutive K values of one output column n):
  8 bits: symmetric, scale = max|w| / 127, code = round(w / scale) + 128 (the default zero point).
  4 bits: asymmetric over [min(w, 0), max(w, 0)], scale = range / 15, zero point = round(-min /
          scale) in [0, 15], code = clip(round(w / scale) + zero point, 0, 15).
Packing as the MatMulNBits spec says: B is uint8 [N, k_blocks, block * bits / 8], K-major within a
column (w transposed), codes low bits first; scales float32 [N, k_blocks]; 4-bit zero points uint8
[N, ceil(k_blocks / 2)], packed the same way. K is zero-padded to whole blocks.

--reference writes the same model with each rewritten MatMul kept as a plain MatMul over the
dequantized weight (float32 [K, N], exactly (code - zero point) * scale): the model the quantized
one must reproduce, for tests. Its metadata says specdec.quantization_reference (not
specdec.quantization: it is a float model), and a bundle's manifest gets no "quantization".

Exit status: 0 done; 1 bad input (IN missing or not a contract model or bundle, OUT exists,
nothing to quantize); 2 bad command line; 3 numpy or onnx missing.
"""

import argparse
import json
import os
import shutil
import sys

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write("quantize.py: error: needs python3 with numpy and onnx (Debian: apt-get install"
                     " python3-numpy python3-onnx): %s\n" % e)
    sys.exit(3)

MS_DOMAIN = "com.microsoft"
ROLES = ("decoder", "medusa", "mtp")
BUNDLE_MODELS = ("target", "draft", "medusa", "mtp")
MANIFEST = "specdec.json"
METADATA_KEY = "specdec.quantization"
REFERENCE_KEY = "specdec.quantization_reference"  # a --reference model: float, not quantized


class InputError(Exception):
    """Something about IN or OUT the user can fix: exit status 1."""


class NothingToQuantize(InputError):
    """A contract model without a MatMul this tool rewrites (in a bundle: copied unchanged)."""

    def __init__(self, message, skipped):
        super().__init__(message)
        self.skipped = skipped


def np_dtype(onnx_type):
    if hasattr(helper, "tensor_dtype_to_np_dtype"):
        return helper.tensor_dtype_to_np_dtype(onnx_type)
    return onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type]


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


class Constants:
    """Values of the graph's constant tensors, evaluated on demand with numpy."""

    FOLDABLE = {"Cast", "Mul", "Div", "Add", "Sub", "Transpose", "Reshape", "Identity", "Squeeze",
                "Unsqueeze", "DequantizeLinear"}

    def __init__(self, graph):
        self.values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.producer = {}
        for node in graph.node:
            for out in node.output:
                self.producer[out] = node
        for node in graph.node:
            if node.op_type == "Constant" and attr(node, "value") is not None:
                self.values[node.output[0]] = numpy_helper.to_array(attr(node, "value"))
        self.graph_inputs = {i.name for i in graph.input}

    def get(self, name):
        """The value of tensor `name`, or None when it is not a constant."""
        if name in self.values:
            return self.values[name]
        if name in self.graph_inputs or name not in self.producer:
            return None
        node = self.producer[name]
        if node.op_type not in self.FOLDABLE:
            return None
        args = [self.get(x) if x else None for x in node.input]
        if any(a is None for a, x in zip(args, node.input) if x):
            return None
        value = self._evaluate(node, args)
        self.values[name] = value
        return value

    @staticmethod
    def _evaluate(node, a):
        op = node.op_type
        if op == "Cast":
            return a[0].astype(np_dtype(attr(node, "to")))
        if op == "Mul":
            return (a[0] * a[1]).astype(a[0].dtype)
        if op == "Div":
            return (a[0] / a[1]).astype(a[0].dtype)
        if op == "Add":
            return (a[0] + a[1]).astype(a[0].dtype)
        if op == "Sub":
            return (a[0] - a[1]).astype(a[0].dtype)
        if op == "Identity":
            return a[0]
        if op == "Transpose":
            perm = attr(node, "perm")
            return np.ascontiguousarray(np.transpose(a[0], perm))
        if op == "Reshape":
            shape = [int(s) for s in a[1]]
            shape = [a[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            return a[0].reshape(shape)
        if op == "Unsqueeze":
            axes = attr(node, "axes") if len(a) < 2 or a[1] is None else [int(x) for x in a[1]]
            out = a[0]
            for ax in sorted(ax % (out.ndim + len(axes)) for ax in axes):
                out = np.expand_dims(out, ax)
            return out
        if op == "Squeeze":
            axes = attr(node, "axes") if len(a) < 2 or a[1] is None else [int(x) for x in a[1]]
            return np.squeeze(a[0], axis=None if axes is None else tuple(axes))
        if op == "DequantizeLinear":
            x, scale = a[0], a[1]
            zp = a[2] if len(a) > 2 and a[2] is not None else np.zeros_like(scale, dtype=x.dtype)
            axis = attr(node, "axis", 1)
            if scale.ndim == 1 and scale.size > 1:
                shape = [1] * x.ndim
                shape[axis] = scale.size
                scale, zp = scale.reshape(shape), zp.reshape(shape)
            return ((x.astype(np.float32) - zp.astype(np.float32)) * scale).astype(np.float32)
        raise AssertionError(op)


def is_signed_permutation(w):
    nonzero = w != 0
    return bool(np.all(nonzero.sum(axis=0) == 1) and np.all(np.abs(w[nonzero]) == 1))


def quantize_weight(w, bits, block):
    """w float32 [K, N] -> (packed uint8 [N, kb, block*bits/8], scales [N, kb], zero points or
    None, dequantized float32 [K, N])."""
    k, n = w.shape
    kb = -(-k // block)
    wt = np.zeros((n, kb * block), dtype=np.float32)
    wt[:, :k] = w.T
    blocks = wt.reshape(n, kb, block).astype(np.float64)
    if bits == 8:
        amax = np.abs(blocks).max(axis=2)
        scales = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(blocks / scales[..., None]), -127, 127) + 128
        zero = np.full((n, kb), 128.0)
        packed = codes.astype(np.uint8)
        zero_points = None
    else:
        lo = np.minimum(blocks.min(axis=2), 0.0)
        hi = np.maximum(blocks.max(axis=2), 0.0)
        scales = np.where(hi > lo, (hi - lo) / 15.0, 1.0).astype(np.float32)
        zero = np.clip(np.rint(-lo / scales), 0, 15)
        codes = np.clip(np.rint(blocks / scales[..., None]) + zero[..., None], 0, 15)
        c = codes.astype(np.uint8)
        packed = (c[..., 0::2] | (c[..., 1::2] << 4)).astype(np.uint8)
        z = zero.astype(np.uint8)
        if kb % 2:
            z = np.concatenate([z, np.full((n, 1), 8, dtype=np.uint8)], axis=1)
        zero_points = (z[:, 0::2] | (z[:, 1::2] << 4)).astype(np.uint8)
    deq = ((codes - zero[..., None]) * scales[..., None].astype(np.float64)).astype(np.float32)
    dequantized = np.ascontiguousarray(deq.reshape(n, kb * block)[:, :k].T)
    return packed, scales, zero_points, dequantized


def unique_name(base, taken):
    name, i = base, 1
    while name in taken:
        name, i = "%s_%d" % (base, i), i + 1
    taken.add(name)
    return name


def metadata(model):
    return {p.key: p.value for p in model.metadata_props}


def quantize_model(model, bits, block, accuracy_level, reference, label):
    """Rewrites `model` in place; returns a summary dict."""
    meta = metadata(model)
    if meta.get("specdec.contract") != "1" or meta.get("specdec.role") not in ROLES:
        raise InputError(
            "%s: not a specdec contract model (needs metadata specdec.contract = 1 and specdec.role"
            " in %s; found %s); specdec quantize rewrites specdec models and bundles, see"
            " docs/model-contract.md" % (label, list(ROLES), {k: v for k, v in meta.items()
                                                               if k.startswith("specdec.")} or
                                          "no specdec metadata"))
    graph = model.graph
    if METADATA_KEY in meta or any(n.op_type == "MatMulNBits" for n in graph.node):
        raise InputError("%s: already quantized (%s)" % (label, meta.get(METADATA_KEY, "MatMulNBits")))
    consts = Constants(graph)
    taken = {i.name for i in graph.initializer} | {o for n in graph.node for o in n.output}
    taken |= {i.name for i in graph.input}
    done = {}  # weight tensor -> new initializer names (a tied weight is quantized once)
    new_nodes, quantized, skipped = [], [], []
    bytes_before = bytes_after = 0
    for node in graph.node:
        if node.op_type != "MatMul" or node.domain not in ("", "ai.onnx"):
            new_nodes.append(node)
            continue
        weight = node.input[1]
        w = consts.get(weight)
        if w is None:
            new_nodes.append(node)
            continue
        if w.ndim != 2 or not np.issubdtype(w.dtype, np.floating):
            skipped.append({"weight": weight, "shape": list(w.shape),
                            "reason": "not a 2-D floating-point weight"})
            new_nodes.append(node)
            continue
        w = w.astype(np.float32)
        if is_signed_permutation(w):
            skipped.append({"weight": weight, "shape": list(w.shape),
                            "reason": "signed permutation (exact in fp32)"})
            new_nodes.append(node)
            continue
        k, n = w.shape
        if weight not in done:
            packed, scales, zero_points, deq = quantize_weight(w, bits, block)
            base = weight.replace("/", "_").strip("_") or "weight"
            if reference:
                name = unique_name(base + "_deq%d" % bits, taken)
                graph.initializer.append(numpy_helper.from_array(deq, name))
                done[weight] = (name,)
                bytes_after += deq.nbytes
            else:
                names = [unique_name(base + "_q%d" % bits, taken), unique_name(base + "_scales", taken)]
                graph.initializer.append(numpy_helper.from_array(packed, names[0]))
                graph.initializer.append(numpy_helper.from_array(scales, names[1]))
                bytes_after += packed.nbytes + scales.nbytes
                if zero_points is not None:
                    names.append(unique_name(base + "_zero_points", taken))
                    graph.initializer.append(numpy_helper.from_array(zero_points, names[2]))
                    bytes_after += zero_points.nbytes
                done[weight] = tuple(names)
            bytes_before += w.nbytes
        if reference:
            new_nodes.append(helper.make_node("MatMul", [node.input[0], done[weight][0]],
                                              list(node.output), name=node.name))
        else:
            new_nodes.append(helper.make_node(
                "MatMulNBits", [node.input[0], *done[weight]], list(node.output),
                name=(node.name or node.output[0]) + "_nbits", domain=MS_DOMAIN, K=k, N=n,
                bits=bits, block_size=block, accuracy_level=accuracy_level))
        quantized.append({"weight": weight, "K": k, "N": n})
    if not quantized:
        raise NothingToQuantize(
            "%s: no MatMul with a constant 2-D weight to quantize (%s)"
            % (label, "; ".join("%s %s: %s" % (x["weight"], x["shape"], x["reason"]) for x in skipped)
               or "none found"), skipped)
    del graph.node[:]
    graph.node.extend(new_nodes)
    remove_dead(graph)
    if not reference and not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    settings = {"bits": bits, "block": block, "accuracyLevel": accuracy_level}
    record = dict(settings, matmuls=len(quantized),
                  scheme="symmetric" if bits == 8 else "asymmetric")
    key = REFERENCE_KEY if reference else METADATA_KEY
    helper.set_model_props(model, dict(meta, **{key: json.dumps(record, separators=(",", ":"))}))
    return {"quantization": settings, "quantized": quantized, "skipped": skipped,
            "weightBytesBefore": bytes_before, "weightBytesAfter": bytes_after}


def remove_dead(graph):
    """Drops nodes, initializers and value_info no graph output depends on."""
    producer = {o: n for n in graph.node for o in n.output}
    needed, stack = set(), [o.name for o in graph.output]
    live = set()
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        node = producer.get(name)
        if node is not None and id(node) not in live:
            live.add(id(node))
            stack.extend(x for x in node.input if x)
            for a in node.attribute:  # subgraphs: keep everything they name
                if a.type == onnx.AttributeProto.GRAPH:
                    stack.extend(x for n in a.g.node for x in n.input if x)
    kept = [n for n in graph.node if id(n) in live]
    del graph.node[:]
    graph.node.extend(kept)
    inits = [i for i in graph.initializer if i.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    infos = [v for v in graph.value_info if v.name in needed]
    del graph.value_info[:]
    graph.value_info.extend(infos)


def quantize_file(src, dst, args, label):
    try:
        model = onnx.load(src)
    except Exception as e:  # onnx raises DecodeError and others for a file that is not ONNX
        raise InputError("%s: cannot read it as an ONNX model: %s" % (label, e))
    summary = quantize_model(model, args.bits, args.block, args.accuracy_level, args.reference, label)
    onnx.save(model, dst)
    summary.update({"in": src, "out": dst, "bytesIn": os.path.getsize(src),
                    "bytesOut": os.path.getsize(dst)})
    return summary


def quantize_bundle(src, dst, args):
    manifest_path = os.path.join(src, MANIFEST)
    try:
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError("%s: cannot read the manifest: %s" % (manifest_path, e))
    if "quantization" in manifest:
        raise InputError("%s: bundle already quantized (%s)" % (src, manifest["quantization"]))
    roles = [r for r in BUNDLE_MODELS if isinstance(manifest.get(r), str)]
    if "target" not in roles:
        raise InputError("%s: names no target model" % manifest_path)
    os.makedirs(dst)
    try:
        models, record = [], {}
        for role in roles:
            rel = manifest[role]
            out = os.path.join(dst, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            try:
                summary = quantize_file(os.path.join(src, rel), out, args, "%s %s" % (role, rel))
                if not args.reference:
                    record[role] = summary["quantization"]
            except NothingToQuantize as e:  # e.g. batched Medusa heads: kept as they are
                shutil.copyfile(os.path.join(src, rel), out)
                summary = {"quantization": None, "quantized": [], "skipped": e.skipped,
                           "in": os.path.join(src, rel), "out": out,
                           "bytesIn": os.path.getsize(out), "bytesOut": os.path.getsize(out)}
            summary["role"] = role
            models.append(summary)
        for key in ("tokenizer",):
            rel = manifest.get(key)
            if isinstance(rel, str):
                os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
                shutil.copyfile(os.path.join(src, rel), os.path.join(dst, rel))
        what = "int%d weights (MatMulNBits, block %d, accuracy level %d)" % (
            args.bits, args.block, args.accuracy_level)
        if args.reference:
            what = "float MatMuls over int%d weights dequantized (block %d): the reference of the" \
                   " quantized bundle" % (args.bits, args.block)
        out_manifest = dict(manifest)
        out_manifest["description"] = (manifest.get("description", "") + " Written by specdec"
                                       " quantize: " + what + ".").strip()
        if record:
            out_manifest["quantization"] = record
        with open(os.path.join(dst, MANIFEST), "w", encoding="utf-8") as f:
            json.dump(out_manifest, f, indent=2)
            f.write("\n")
        write_model_card(src, dst, models, what, args)
    except BaseException:
        shutil.rmtree(dst, ignore_errors=True)
        raise
    return models


def write_model_card(src, dst, models, what, args):
    card = os.path.join(src, "README.md")
    text = ""
    if os.path.isfile(card):
        with open(card, encoding="utf-8") as f:
            text = f.read().rstrip("\n") + "\n\n"
    lines = ["## Quantization", "",
             "Written by `specdec quantize %s OUT --bits %d --block %d --accuracy-level %d%s`: %s."
             % (os.path.basename(os.path.normpath(src)), args.bits, args.block, args.accuracy_level,
                " --reference" if args.reference else "", what), "",
             "| model | MatMuls quantized | left in fp32 | file bytes before | after |",
             "|---|---|---|---|---|"]
    for m in models:
        counts = {}
        for s in m["skipped"]:
            key = "%s (%s)" % (s["weight"], s["reason"])
            counts[key] = counts.get(key, 0) + 1
        left = ", ".join(k if c == 1 else "%s x%d" % (k, c) for k, c in counts.items()) or "none"
        if not m["quantized"]:
            left += "; copied unchanged"
        lines.append("| %s | %d | %s | %d | %d |" % (m["role"], len(m["quantized"]), left,
                                                     m["bytesIn"], m["bytesOut"]))
    with open(os.path.join(dst, "README.md"), "w", encoding="utf-8") as f:
        f.write(text + "\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="quantize.py", description=__doc__.split("\n")[0])
    ap.add_argument("input", metavar="IN", help="an .onnx contract model or a bundle directory")
    ap.add_argument("output", metavar="OUT", help="where to write; must not exist")
    ap.add_argument("--bits", type=int, required=True, choices=(4, 8))
    ap.add_argument("--block", type=int, default=32, choices=(16, 32, 64, 128, 256))
    ap.add_argument("--accuracy-level", type=int, default=4, choices=(0, 1, 2, 3, 4))
    ap.add_argument("--reference", action="store_true",
                    help="write plain MatMuls over the dequantized weights instead")
    ap.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    args = ap.parse_args(argv)
    try:
        if os.path.lexists(args.output):
            raise InputError("%s already exists: give a new path (quantize never overwrites)"
                             % args.output)
        if os.path.isdir(args.input):
            if not os.path.isfile(os.path.join(args.input, MANIFEST)):
                raise InputError("%s: a directory without %s is not a bundle" % (args.input, MANIFEST))
            models = quantize_bundle(args.input, args.output, args)
        elif os.path.isfile(args.input):
            parent = os.path.dirname(os.path.abspath(args.output))
            if not os.path.isdir(parent):
                raise InputError("%s: its directory does not exist" % args.output)
            models = [quantize_file(args.input, args.output, args, os.path.basename(args.input))]
        else:
            raise InputError("%s does not exist" % args.input)
    except InputError as e:
        sys.stderr.write("quantize.py: error: %s\n" % e)
        return 1
    if args.json:
        print(json.dumps({"input": args.input, "output": args.output, "models": models}))
    else:
        for m in models:
            if not m["quantized"]:
                print("%s: nothing to quantize, copied unchanged" % m.get("role", m["in"]))
                continue
            what = ("over dequantized int%d weights (block %d, reference)" % (args.bits, args.block)
                    if args.reference else "-> MatMulNBits int%d (block %d, accuracy level %d)"
                    % (args.bits, args.block, args.accuracy_level))
            print("%s: %d MatMuls %s, %d left in fp32; %d -> %d bytes"
                  % (m.get("role", m["in"]), len(m["quantized"]), what, len(m["skipped"]),
                     m["bytesIn"], m["bytesOut"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
