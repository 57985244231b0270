#!/usr/bin/env python3
"""Exports the benchmark models of bench/peer_models.py (random weights) for the JVM peers (bench-jvm-peers).

    /work/venv/bin/python tools/export_onnx.py [--out DIR] [--only NAME,...] [--no-check] [--test-fixture FILE]

Writes into DIR (default $MASKSEG_PEER_MODELS, else ~/.cache/maskseg/peer-models; never committed):
  * ONNX (opset 17, the TorchScript-based exporter, dynamo=False) for ONNX Runtime Java, inference only:
    resnet50_1x3x224x224.onnx, vit_small_patch16_{1,8}x3x224x224.onnx, deeplabv3_resnet50_2x3x321x321.onnx (eval);
  * TorchScript traces (torch.jit.trace, .pt) of the same four for DJL inference, and the training graphs DJL
    differentiates (it runs backward and the SGD update itself):
      deeplabv3_resnet50_2x3x321x321_ce.pt   (x, target) -> cross-entropy, train mode (bench models forward+backward)
      maskdistill_step_2x3x321x321.pt        (x, target) -> hard-pixel CE (fraction 0.2); conv1..layer2 frozen, their
                                              batch norms traced in eval mode (bench train maskdistill-step)
      maskcontrast_step_2x3x224x224.pt       (imq, imk, mq, mk, queue) -> loss; inside: query forward, the momentum
                                              update of the key encoder (parameters named key.*) and its buffer copy,
                                              the key forward, the MaskContrast loss (bench train maskcontrast-step)
  * manifest.json: torch version and, per file, its inputs and the outputs' checks.
A trace fixes shapes and the modes of batch norm and dropout at trace time, which is what the cases need. Each export is
checked (unless --no-check): ONNX Runtime (python) and the reloaded trace against eager PyTorch on the same input; the
training graphs' losses against the eager step's loss from the same weights (dropout seeded alike).

--test-fixtures DIR writes only bench-jvm-peers' unit-test resources and exits: conv1x1.onnx (a 1x1 conv, 2->3
channels, weights 1..6, bias 0.5,-1,2), tiny_train.pt (a frozen 1x1 conv, a trainable one and cross-entropy, traced)
and tiny_train.json (its inputs, and PyTorch's losses and weights over two SGD steps, momentum 0.9, weight decay 1e-4).
"""
import copy, json, os, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import peer_models as pm  # noqa: E402

ARGS = sys.argv[1:]
OPSET = 17


def arg(name, default=None):
    return ARGS[ARGS.index(name) + 1] if name in ARGS else default


def note(msg):
    print(f"export: {msg}", file=sys.stderr, flush=True)


def export_onnx(model, inputs, names, path):
    torch.onnx.export(model, inputs, path, input_names=names, output_names=["out"], opset_version=OPSET,
                      do_constant_folding=True, dynamo=False)


def trace(fn, inputs, path):
    traced = torch.jit.trace(fn, inputs, check_trace=False)
    traced.save(path)
    return traced


def max_rel_err(a, b):
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-12))


def check_onnx(path, inputs, names, expected):
    import numpy as np
    import onnxruntime as ort
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = s.run(None, {n: t.numpy() for n, t in zip(names, inputs)})[0]
    return max_rel_err(torch.from_numpy(np.asarray(got)), expected)


class CrossEntropyGraph(nn.Module):
    """DeepLab-v3 forward in train mode and cross-entropy with ignore 255: bench models' forward+backward case."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x, target):
        return F.cross_entropy(self.model(x), target, ignore_index=255)


class MaskDistillGraph(nn.Module):
    def __init__(self, step):
        super().__init__()
        self.model = step.model

    def forward(self, x, target):
        return pm.hard_pixel_ce(self.model(x), target)


class MaskContrastGraph(nn.Module):
    """Everything of MaskContrastStep but backward and the SGD update, in the eager step's order."""

    def __init__(self, step):
        super().__init__()
        self.query, self.key = step.query, step.key

    def forward(self, imq, imk, mq, mk, queue):
        eq, sq = self.query(imq)
        with torch.no_grad():
            for pk, pq in zip(self.key.parameters(), self.query.parameters()):
                pk.mul_(0.999).add_(pq.detach(), alpha=0.001)
            for bk, bq in zip(self.key.buffers(), self.query.buffers()):
                bk.copy_(bq)
            ek, _ = self.key(imk)
        loss, _ = pm.maskcontrast_loss(eq, sq, mq, ek, mk, queue)
        return loss


def inference_models():
    torch.manual_seed(0)
    yield "resnet50_1x3x224x224", pm.ResNet50().eval(), (torch.randn(1, 3, 224, 224),)
    vit = pm.ViT().eval()
    for b in (1, 8):
        yield f"vit_small_patch16_{b}x3x224x224", vit, (torch.randn(b, 3, 224, 224),)
    yield "deeplabv3_resnet50_2x3x321x321", pm.DeepLabV3(21).eval(), (torch.randn(2, 3, 321, 321),)


def export_inference(out, only, check, manifest):
    for name, model, inputs in inference_models():
        if only and name not in only:
            continue
        t0 = time.time()
        with torch.no_grad():
            expected = model(*inputs)
            onnx_path = os.path.join(out, name + ".onnx")
            export_onnx(model, inputs, ["input"], onnx_path)
            traced = trace(model, inputs, os.path.join(out, name + ".pt"))
            entry = {"inputs": {"input": list(inputs[0].shape)}, "output": list(expected.shape)}
            if check:
                entry["onnx_max_rel_err"] = check_onnx(onnx_path, inputs, ["input"], expected)
                entry["trace_max_rel_err"] = max_rel_err(torch.jit.load(os.path.join(out, name + ".pt"))(*inputs), expected)
        manifest["files"][name + ".onnx"] = manifest["files"][name + ".pt"] = entry
        note(f"{name}: .onnx and .pt in {time.time() - t0:.0f} s {entry}")


def seeded_loss(graph, inputs, seed=7):
    torch.manual_seed(seed)
    return graph(*inputs)


def export_training(out, only, check, manifest):
    g = torch.Generator().manual_seed(3)
    cases = []
    if not only or "deeplabv3_resnet50_2x3x321x321_ce" in only:
        torch.manual_seed(0)
        ce = CrossEntropyGraph(pm.DeepLabV3(21).train())
        cases.append(("deeplabv3_resnet50_2x3x321x321_ce", ce,
                      (torch.randn(2, 3, 321, 321, generator=g), torch.randint(0, 21, (2, 321, 321), generator=g))))
    if not only or "maskdistill_step_2x3x321x321" in only:
        step = pm.MaskDistillStep()
        step.model.train()
        for m in step.frozen:
            m.eval()
        cases.append(("maskdistill_step_2x3x321x321", MaskDistillGraph(step), (step.x, step.t)))
    if not only or "maskcontrast_step_2x3x224x224" in only:
        step = pm.MaskContrastStep()
        cases.append(("maskcontrast_step_2x3x224x224", MaskContrastGraph(step), (step.imq, step.imk, step.mq, step.mk, step.queue)))
    for name, graph, inputs in cases:
        t0 = time.time()
        # the check runs the eager graph and the trace from the same weights and buffers (both update batch-norm
        # statistics and the key encoder in place, so each starts from a copy)
        eager = copy.deepcopy(graph) if check else None
        traced = trace(graph, inputs, os.path.join(out, name + ".pt"))
        entry = {"inputs": {f"in{i}": list(t.shape) for i, t in enumerate(inputs)}, "output": "scalar loss"}
        if check:
            # every weight nudged apart, so MaskContrast's key encoder differs from the query and its momentum update
            # changes it: the state after one call (weights, batch-norm statistics) must agree too
            with torch.no_grad():
                nudge = torch.Generator().manual_seed(11)
                for p in eager.parameters():
                    p.add_(0.01 * torch.randn(p.shape, generator=nudge))
            fresh = copy.deepcopy(eager)
            want = float(seeded_loss(fresh, inputs))
            reloaded = torch.jit.load(os.path.join(out, name + ".pt"))
            reloaded.load_state_dict(eager.state_dict())
            got = float(seeded_loss(reloaded, inputs))
            traced_state = reloaded.state_dict()
            state_err = max(float((v.float() - traced_state[k].float()).abs().max()) for k, v in fresh.state_dict().items())
            entry.update({"eager_loss": want, "trace_loss": got, "trace_rel_err": abs(got - want) / max(abs(want), 1e-12),
                          "state_max_abs_err_after_call": state_err})
        manifest["files"][name + ".pt"] = entry
        note(f"{name}: .pt in {time.time() - t0:.0f} s {entry}")
        del traced


class TinyTrainGraph(nn.Module):
    def __init__(self):
        super().__init__()
        self.frozen, self.head = nn.Conv2d(2, 2, 1), nn.Conv2d(2, 3, 1)

    def forward(self, x, target):
        return F.cross_entropy(self.head(self.frozen(x)), target)


def test_fixtures(out):
    os.makedirs(out, exist_ok=True)
    conv = nn.Conv2d(2, 3, 1)
    with torch.no_grad():
        conv.weight.copy_(torch.arange(1.0, 7.0).reshape(3, 2, 1, 1))
        conv.bias.copy_(torch.tensor([0.5, -1.0, 2.0]))
    export_onnx(conv, (torch.zeros(1, 2, 2, 2),), ["input"], os.path.join(out, "conv1x1.onnx"))
    torch.manual_seed(5)
    g = TinyTrainGraph()
    x, t = torch.randn(1, 2, 2, 2), torch.tensor([[[0, 1], [2, 1]]])
    trace(g, (x, t), os.path.join(out, "tiny_train.pt"))
    for p in g.frozen.parameters():
        p.requires_grad_(False)
    opt = torch.optim.SGD(g.head.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    flat = lambda a: [float(v) for v in a.detach().reshape(-1)]
    ref = {"x": flat(x), "target": [int(v) for v in t.reshape(-1)], "lr": 0.1, "frozen_prefixes": ["frozen."],
           "initial": {n: flat(p) for n, p in g.named_parameters()}, "losses": []}
    for _ in range(2):
        loss = g(x, t)
        ref["losses"].append(float(loss))
        opt.zero_grad()
        loss.backward()
        opt.step()
    ref["after_two_steps"] = {n: flat(p) for n, p in g.named_parameters()}
    with open(os.path.join(out, "tiny_train.json"), "w") as f:
        json.dump(ref, f, indent=1)
    note(f"wrote conv1x1.onnx, tiny_train.pt, tiny_train.json in {out}")


def main():
    if "--test-fixtures" in ARGS:
        test_fixtures(arg("--test-fixtures"))
        return
    out = arg("--out") or os.environ.get("MASKSEG_PEER_MODELS") or os.path.join(os.path.expanduser("~"), ".cache", "maskseg", "peer-models")
    only = set(arg("--only").split(",")) if arg("--only") else None
    check = "--no-check" not in ARGS
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(max(1, (os.cpu_count() or 1)))
    path = os.path.join(out, "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {"files": {}}
    manifest["torch"] = torch.__version__
    export_inference(out, only, check, manifest)
    export_training(out, only, check, manifest)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, path)
    note(f"done: {out}")


if __name__ == "__main__":
    main()
