"""Read a trained decoder back out of an exported contract ONNX file (target.onnx / draft.onnx).

The work directory with the training checkpoints does not survive a change of machine; the committed
bundle does. `train.py --init-from models/specdec-java/target.onnx` starts a run from the weights this
module recovers: the graph's initializers as export.py names them (`wqkv.<layer>`, `wo.<layer>`,
`w13.<layer>`, `w2.<layer>`, `lm_head`, norms), stored as fp32, fp16 (`_fp16`) or int8 with a
per-column scale (`_int8`, `_scale`), decoded to fp32. Sizes come from the `specdec.*` metadata.
What is lost: the optimizer state, and the rounding of int8/fp16 storage (its validation-loss
effect is measured at export and recorded in the model card).
"""
import json

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import model as M


def _initializers(path):
    m = onnx.load(path)
    meta = {p.key: p.value for p in m.metadata_props}
    return {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}, meta


def _weight(inits, name):
    """fp32 value of a stored weight [in, out] in any of the export's storage formats."""
    if name in inits:
        return inits[name].astype(np.float32)
    if name + "_fp16" in inits:
        return inits[name + "_fp16"].astype(np.float32)
    if name + "_int8" in inits:
        return inits[name + "_int8"].astype(np.float32) * inits[name + "_scale"]
    raise KeyError("no weight %r in the model (is it an export.py decoder?)" % name)


def load_decoder(path):
    """(ModelCfg, LlamaLM state_dict) of an exported decoder."""
    inits, meta = _initializers(path)
    if meta.get("specdec.role") != "decoder":
        raise ValueError("%s is not a specdec decoder (specdec.role = %r)" % (path, meta.get("specdec.role")))
    L = int(meta["specdec.num_layers"])
    H, Hkv, D = int(meta["specdec.num_heads"]), int(meta["specdec.num_kv_heads"]), int(meta["specdec.head_size"])
    Hd, V = int(meta["specdec.hidden_size"]), int(meta["specdec.vocab_size"])
    ffn = _weight(inits, "w2.0").shape[0]
    cfg = M.ModelCfg(meta["specdec.name"], vocab=V, hidden=Hd, layers=L, heads=H, kv_heads=Hkv, head_size=D,
                     ffn=ffn, max_pos=int(meta["specdec.max_positions"]),
                     rope_theta=float(meta["specdec.rope_theta"]), bos=int(meta["specdec.bos_token_id"]),
                     eos=int(meta["specdec.eos_token_id"]))
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a.T))  # noqa: E731  [in,out] -> Linear [out,in]
    lm_head = _weight(inits, "lm_head")  # [Hd, V]; the embedding is tied to it
    sd = {"embed.weight": torch.from_numpy(np.ascontiguousarray(lm_head.T)),
          "final_norm.weight": torch.from_numpy(inits["final_norm"].astype(np.float32))}
    for i in range(L):
        wq, wk, wv = np.split(_weight(inits, "wqkv.%d" % i), [H * D, H * D + Hkv * D], axis=1)
        w1, w3 = np.split(_weight(inits, "w13.%d" % i), [ffn], axis=1)
        for k, a in (("wq", wq), ("wk", wk), ("wv", wv), ("wo", _weight(inits, "wo.%d" % i)),
                     ("w1", w1), ("w3", w3), ("w2", _weight(inits, "w2.%d" % i))):
            sd["layers.%d.%s.weight" % (i, k)] = t(a)
        sd["layers.%d.attn_norm.weight" % i] = torch.from_numpy(inits["attn_norm.%d" % i].astype(np.float32))
        sd["layers.%d.mlp_norm.weight" % i] = torch.from_numpy(inits["mlp_norm.%d" % i].astype(np.float32))
    return cfg, sd


TRAINING_KEY = "specdec.training"  # metadata: JSON list of the training stages behind the weights


def training_stages(path):
    """The training stages export.py recorded in the file (empty for files without them)."""
    m = onnx.load(path, load_external_data=False)
    meta = {p.key: p.value for p in m.metadata_props}
    return json.loads(meta[TRAINING_KEY]) if TRAINING_KEY in meta else []
