#!/usr/bin/env python3
"""Golden values for engine-api ops from PyTorch (Debian python3-torch), run once; outputs committed.

For every case: float32 inputs, the op's output, and the input gradients of sum(out * w) for a
random w. Writes engine-api/src/test/resources/fixtures/ops.safetensors (tensors named
'<case>/in<i>', '<case>/out', '<case>/w', '<case>/grad<i>') and ops.json (op name and parameters).
Usage: python3 tools/gen_engine_fixtures.py
"""
import json, os, struct
import numpy as np
import torch
from safetensors_writer import write_safetensors
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "engine-api", "src", "test", "resources", "fixtures")
tensors, manifest = {}, []

def rnd(*s):
    return torch.randn(tuple(s), dtype=torch.float32)

def case(name, op, fn, inputs, params=None, grad=True):
    ins = [t.clone().requires_grad_(grad and t.dtype.is_floating_point) for t in inputs]
    out = fn(*ins)
    w = rnd(*out.shape) if out.dtype.is_floating_point else None
    for i, t in enumerate(inputs):
        tensors[f"{name}/in{i}"] = t
    tensors[f"{name}/out"] = out.detach()
    if w is not None and grad:
        tensors[f"{name}/w"] = w
        (out * w).sum().backward()
        for i, t in enumerate(ins):
            if t.requires_grad and t.grad is not None:
                tensors[f"{name}/grad{i}"] = t.grad
    manifest.append({"name": name, "op": op, "params": params or {}, "inputs": len(inputs)})

pos = lambda *s: rnd(*s).abs() + 0.5
# elementwise
case("add_bcast", "add", lambda a, b: a + b, [rnd(3, 4), rnd(4)])
case("sub_bcast", "sub", lambda a, b: a - b, [rnd(2, 1, 3), rnd(4, 1)])
case("mul", "mul", lambda a, b: a * b, [rnd(3, 4), rnd(3, 4)])
case("div", "div", lambda a, b: a / b, [rnd(3, 4), pos(3, 1)])
case("neg", "neg", lambda a: -a, [rnd(5)])
case("pow3", "pow", lambda a: a ** 3, [rnd(2, 3)], {"p": 3.0})
case("pow_frac", "pow", lambda a: a ** 1.5, [pos(2, 3)], {"p": 1.5})
for op in ["exp", "tanh", "sigmoid", "relu", "abs", "erf"]:
    case(op, op, getattr(torch, op), [rnd(4, 5)])
case("log", "log", torch.log, [pos(4, 5)])
case("sqrt", "sqrt", torch.sqrt, [pos(4, 5)])
case("rsqrt", "rsqrt", torch.rsqrt, [pos(4, 5)])
case("gelu", "gelu", F.gelu, [rnd(4, 5) * 2])
case("softplus", "softplus", lambda a: F.softplus(a, beta=2.0, threshold=3.0), [rnd(4, 5)], {"beta": 2.0, "threshold": 3.0})
case("clamp", "clamp", lambda a: a.clamp(-0.5, 0.7), [rnd(4, 5)], {"min": -0.5, "max": 0.7})
case("maximum", "maximum", torch.maximum, [rnd(3, 4), rnd(1, 4)])
case("minimum", "minimum", torch.minimum, [rnd(3, 4), rnd(3, 4)])
case("where", "where", lambda c, a, b: torch.where(c > 0, a, b), [rnd(3, 4), rnd(3, 4), rnd(4)])
# reductions
case("sum_dims", "sum", lambda a: a.sum(dim=(0, 2), keepdim=True), [rnd(2, 3, 4)], {"dims": [0, 2], "keepdim": True})
case("sum_big", "sum", lambda a: a.sum(dim=1), [rnd(3, 2000)], {"dims": [1], "keepdim": False})
case("mean", "mean", lambda a: a.mean(dim=1), [rnd(3, 5)], {"dims": [1], "keepdim": False})
case("amax", "amax", lambda a: a.amax(dim=(1, 2)), [rnd(2, 3, 4)], {"dims": [1, 2], "keepdim": False})
case("max_dim", "max_dim", lambda a: a.max(dim=1).values, [rnd(3, 6)], {"dim": 1})
case("var_unbiased", "var", lambda a: a.var(dim=1, unbiased=True), [rnd(3, 6)], {"dims": [1], "unbiased": True})
case("std_biased", "std", lambda a: a.std(dim=(0, 1), unbiased=False, keepdim=True), [rnd(3, 4)], {"dims": [0, 1], "unbiased": False, "keepdim": True})
case("logsumexp", "logsumexp", lambda a: torch.logsumexp(a, dim=-1), [rnd(3, 7)], {"dims": [-1]})
case("topk", "topk", lambda a: torch.topk(a, 3, dim=1, largest=True).values, [rnd(2, 9)], {"k": 3, "dim": 1, "largest": True})
case("topk_small", "topk", lambda a: torch.topk(a, 2, dim=0, largest=False).values, [rnd(5, 3)], {"k": 2, "dim": 0, "largest": False})
case("argmax", "argmax", lambda a: a.argmax(dim=1), [rnd(4, 7)], {"dim": 1}, grad=False)
# linear algebra
case("matmul_batched", "matmul", torch.matmul, [rnd(2, 1, 5, 6), rnd(3, 6, 4)])
case("matmul_big_k", "matmul", torch.matmul, [rnd(4, 1100), rnd(1100, 3)])
case("linear", "linear", F.linear, [rnd(2, 3, 8), rnd(5, 8), rnd(5)])
case("conv2d", "conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), [rnd(2, 3, 6, 6), rnd(4, 3, 3, 3), rnd(4)],
     {"stride": 1, "padding": 1, "dilation": 1, "groups": 1})
case("conv2d_s2_d2", "conv2d", lambda x, w: F.conv2d(x, w, None, stride=2, padding=2, dilation=2), [rnd(1, 2, 9, 8), rnd(3, 2, 3, 3)],
     {"stride": 2, "padding": 2, "dilation": 2, "groups": 1})
case("conv2d_groups", "conv2d", lambda x, w, b: F.conv2d(x, w, b, groups=2), [rnd(2, 4, 5, 5), rnd(6, 2, 3, 3), rnd(6)],
     {"stride": 1, "padding": 0, "dilation": 1, "groups": 2})
# pooling and norms
case("max_pool2d", "max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1), [rnd(2, 2, 7, 7)], {"kernel": 3, "stride": 2, "padding": 1, "ceil": False})
case("max_pool2d_ceil", "max_pool2d", lambda x: F.max_pool2d(x, 2, 2, 0, ceil_mode=True), [rnd(1, 2, 7, 5)], {"kernel": 2, "stride": 2, "padding": 0, "ceil": True})
case("avg_pool2d", "avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [rnd(1, 2, 6, 5)],
     {"kernel": 3, "stride": 2, "padding": 1, "ceil": False, "count_include_pad": False})
case("avg_pool2d_ceil", "avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [rnd(1, 1, 6, 6)],
     {"kernel": 3, "stride": 2, "padding": 1, "ceil": True, "count_include_pad": True})
case("adaptive_avg_pool2d", "adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), [rnd(2, 2, 7, 5)], {"h": 3, "w": 2})
rm, rv = rnd(3), pos(3)
def bn_train(x, w, b):
    m, v = rm.clone(), rv.clone()
    y = F.batch_norm(x, m, v, w, b, training=True, momentum=0.1, eps=1e-5)
    tensors["batch_norm_train/running_mean_after"], tensors["batch_norm_train/running_var_after"] = m, v
    return y
tensors["batch_norm_train/running_mean"], tensors["batch_norm_train/running_var"] = rm, rv
case("batch_norm_train", "batch_norm_train", bn_train, [rnd(4, 3, 3, 3), rnd(3), rnd(3)])
case("batch_norm_eval", "batch_norm_eval", lambda x, m, v, w, b: F.batch_norm(x, m.detach(), v.detach(), w, b, training=False, eps=1e-5),
     [rnd(2, 3, 4), rnd(3), pos(3), rnd(3), rnd(3)])
case("layer_norm", "layer_norm", lambda x, w, b: F.layer_norm(x, (8,), w, b, eps=1e-6), [rnd(3, 4, 8), rnd(8), rnd(8)], {"dims": 1, "eps": 1e-6})
case("softmax", "softmax", lambda x: F.softmax(x, dim=1), [rnd(2, 5, 3)], {"dim": 1})
case("log_softmax", "log_softmax", lambda x: F.log_softmax(x, dim=-1), [rnd(3, 7)], {"dim": -1})
case("normalize", "normalize", lambda x: F.normalize(x, dim=1), [rnd(3, 4)], {"dim": 1})
# losses
tgt = torch.tensor([0, 2, 255, 1, 2])
case("cross_entropy_weighted", "cross_entropy", lambda x, t, w: F.cross_entropy(x, t, weight=w.detach(), ignore_index=255),
     [rnd(5, 3), tgt, pos(3)], {"ignore_index": 255, "reduction": "mean", "weighted": True})
tgt4 = torch.randint(0, 4, (2, 3, 3)); tgt4[0, 0, 0] = 255
case("cross_entropy_4d_sum", "cross_entropy", lambda x, t: F.cross_entropy(x, t, ignore_index=255, reduction="sum"),
     [rnd(2, 4, 3, 3), tgt4], {"ignore_index": 255, "reduction": "sum", "weighted": False})
case("cross_entropy_none", "cross_entropy", lambda x, t: F.cross_entropy(x, t, reduction="none"),
     [rnd(3, 4), torch.tensor([3, 0, 1])], {"ignore_index": -100, "reduction": "none", "weighted": False})
case("bce_with_logits", "bce_with_logits", lambda x, y, w: F.binary_cross_entropy_with_logits(x, y, weight=w.detach()),
     [rnd(3, 4) * 3, torch.rand(3, 4), pos(3, 4)], {"reduction": "mean"})
# resizing
case("nearest", "interpolate", lambda x: F.interpolate(x, size=(7, 5), mode="nearest"), [rnd(1, 2, 4, 3)], {"mode": "nearest", "h": 7, "w": 5, "align_corners": False})
case("bilinear", "interpolate", lambda x: F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=False), [rnd(1, 2, 4, 3)],
     {"mode": "bilinear", "h": 7, "w": 5, "align_corners": False})
case("bilinear_down", "interpolate", lambda x: F.interpolate(x, size=(3, 4), mode="bilinear", align_corners=False), [rnd(1, 2, 8, 9)],
     {"mode": "bilinear", "h": 3, "w": 4, "align_corners": False})
case("bilinear_ac", "interpolate", lambda x: F.interpolate(x, size=(3, 8), mode="bilinear", align_corners=True), [rnd(2, 1, 5, 4)],
     {"mode": "bilinear", "h": 3, "w": 8, "align_corners": True})
case("bicubic", "interpolate", lambda x: F.interpolate(x, size=(6, 9), mode="bicubic", align_corners=False), [rnd(1, 2, 4, 5)],
     {"mode": "bicubic", "h": 6, "w": 9, "align_corners": False})
sy, sx = (20 + 0.1) / 14, (30 + 0.1) / 14  # DINO's positional-embedding interpolation for a 320x480 input
case("bicubic_scale_dino", "interpolate_scale", lambda x: F.interpolate(x, scale_factor=(sy, sx), mode="bicubic", align_corners=False),
     [rnd(1, 3, 14, 14)], {"mode": "bicubic", "sh": sy, "sw": sx, "align_corners": False})
# indexing
case("cat", "cat", lambda a, b: torch.cat([a, b], dim=1), [rnd(2, 3), rnd(2, 4)], {"dim": 1})
case("stack", "stack", lambda a, b: torch.stack([a, b], dim=1), [rnd(2, 3), rnd(2, 3)], {"dim": 1})
case("index_select", "index_select", lambda a, i: torch.index_select(a, 1, i), [rnd(2, 4), torch.tensor([2, 0, 2])], {"dim": 1})
case("gather", "gather", lambda a, i: torch.gather(a, 1, i), [rnd(2, 4), torch.tensor([[0, 2, 1], [1, 3, 0]])], {"dim": 1})
case("scatter_add", "scatter_add", lambda a, i, s: a.scatter_add(0, i, s), [rnd(2, 3), torch.tensor([[1, 0, 1]]), rnd(1, 3)], {"dim": 0})
case("masked_fill", "masked_fill", lambda a: a.masked_fill(a < 0, 0.25), [rnd(3, 4)], {"value": 0.25})
case("masked_select", "masked_select", lambda a: torch.masked_select(a, a > 0), [rnd(3, 4)])
case("one_hot", "one_hot", lambda t: F.one_hot(t, 5).float(), [torch.tensor([[0, 3], [4, 1]])], {"classes": 5}, grad=False)
case("pad", "pad", lambda a: F.pad(a, (1, 2, 0, 1), value=0.5), [rnd(2, 2, 3)], {"pads": [1, 2, 0, 1], "value": 0.5})

os.makedirs(OUT, exist_ok=True)
write_safetensors(os.path.join(OUT, "ops.safetensors"), tensors)
with open(os.path.join(OUT, "ops.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": manifest}, f, indent=1)
print(f"{len(manifest)} cases, {len(tensors)} tensors -> {OUT}")
