#!/usr/bin/env python3
"""Golden fixtures for model-zoo parity tests (Debian python3-torch 1.13 + python3-torchvision 0.14).

Weights are not stored: every parameter is a function of its name (FormulaWeights.java computes the same
values), so full-size models are checked on committed data of a few MB. Writes, under
model-zoo/src/test/resources/fixtures/:
  models.safetensors   inputs, outputs and gradients (names listed in models.json)
  models.json          the cases: model, input name, output names, tolerances
and engine-api/src/test/resources/fixtures/pth/*.pth: torch.save files for the restricted-unpickler tests
(plain, nested, legacy, malicious).

Run: /usr/bin/python3 tools/gen_model_fixtures.py
"""
import argparse, collections, io, json, math, os, zipfile
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from safetensors_writer import write_safetensors

OUT = os.path.join(os.path.dirname(__file__), "..", "model-zoo", "src", "test", "resources", "fixtures")
PTH_OUT = os.path.join(os.path.dirname(__file__), "..", "engine-api", "src", "test", "resources", "fixtures", "pth")
M64 = (1 << 64) - 1
MAX_STORED = 100_000


def fnv1a(name):
    h = 0xcbf29ce484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001b3) & M64
    return h


def uniform(name, n):
    """u in [-1, 1): splitmix64(fnv1a(name) + i), top 24 bits (exact in float32). Mirrors FormulaWeights.java."""
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a(name)) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24) * 2.0 - 1.0


def value(name, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(name, n)
    if name.endswith("running_var"):
        v = 1.0 + 0.25 * u
    elif name.endswith("running_mean"):
        v = 0.1 * u
    elif name.endswith("cls_token") or name.endswith("pos_embed"):
        v = 0.1 * u
    elif len(shape) == 1 and name.endswith("weight"):
        v = 1.0 + 0.1 * u
    elif len(shape) == 1:
        v = 0.05 * u
    else:
        v = u * math.sqrt(3.0 / int(np.prod(shape[1:])))
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill(model):
    with torch.no_grad():
        for k, t in model.state_dict().items():
            if t.dtype.is_floating_point:
                t.copy_(value(k, tuple(t.shape)))


# ---- DINO vision_transformer.py, re-stated (same names and maths) ----
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv, self.proj = nn.Linear(dim, dim * 3), nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C)), attn, q, k


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads)
        self.norm2, self.mlp = nn.LayerNorm(dim, eps=1e-6), Mlp(dim, 4 * dim)

    def forward(self, x):
        y, attn, q, k = self.attn(self.norm1(x))
        x = x + y
        return x + self.mlp(self.norm2(x)), attn, q, k


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)


class ViT(nn.Module):
    def __init__(self, patch=16, dim=384, depth=12, heads=6):
        super().__init__()
        self.patch = patch
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, (224 // patch) ** 2 + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def interpolate_pos_encoding(self, x, w, h):
        npatch, N = x.shape[1] - 1, self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        class_pos, patch_pos = self.pos_embed[:, 0], self.pos_embed[:, 1:]
        dim = x.shape[-1]
        w0, h0 = w // self.patch + 0.1, h // self.patch + 0.1
        patch_pos = F.interpolate(patch_pos.reshape(1, int(math.sqrt(N)), int(math.sqrt(N)), dim).permute(0, 3, 1, 2),
                                  scale_factor=(w0 / math.sqrt(N), h0 / math.sqrt(N)), mode="bicubic")
        assert int(w0) == patch_pos.shape[-2] and int(h0) == patch_pos.shape[-1]
        patch_pos = patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((class_pos.unsqueeze(0), patch_pos), dim=1)

    def forward(self, x):
        B, nc, w, h = x.shape   # as DINO: "w" is the height
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat((self.cls_token.expand(B, -1, -1), t), dim=1)
        t = t + self.interpolate_pos_encoding(t, w, h)
        for blk in self.blocks:
            t, attn, q, k = blk(t)
        t = self.norm(t)
        return {"tokens": t, "cls": t[:, 0], "attn_last": attn, "q_last": q, "k_last": k}


def det_input(name, shape):
    """Inputs are uniform(name) too, so they are not stored either (FormulaWeights.input in Java)."""
    return torch.from_numpy(uniform(name, int(np.prod(shape))).astype(np.float32).reshape(shape))


def main():
    os.makedirs(PTH_OUT, exist_ok=True)
    tensors, cases = {}, []
    torch.set_grad_enabled(False)

    def case(cid, model, inp, outs, tol, kind):
        inp_name, inp = inp
        narrow = {}
        for k, v in outs.items():
            v = v.detach()
            if v.numel() > MAX_STORED:   # keep the committed file small: a leading slice of big tensors
                d = next(i for i, s in enumerate(v.shape) if s > 1)
                keep = max(1, v.shape[d] * MAX_STORED // v.numel())
                v, narrow[k] = v.narrow(d, 0, keep), [d, keep]
            tensors[f"{cid}.{k}"] = v.contiguous()
        cases.append({"id": cid, "model": model, "input": inp_name, "input_shape": list(inp.shape), "outputs": list(outs),
                      "tolerance": tol, "kind": kind, "narrow": narrow})

    vit = ViT().eval(); fill(vit)
    for h, w in ((224, 224), (320, 480)):
        x = det_input(f"vit_{h}x{w}_input", (1, 3, h, w))
        case(f"vit_s16_{h}x{w}", "vit_small_patch16", (f"vit_{h}x{w}_input", x), vit(x), 1e-4, "abs")

    rn = torchvision.models.resnet50().eval(); fill(rn)
    x = det_input("resnet_input", (1, 3, 224, 224))
    feats = nn.Sequential(*list(rn.children())[:-2])(x)
    case("resnet50_224", "resnet50", ("resnet_input", x), {"logits": rn(x), "layer4": feats}, 1e-3, "rel")

    dl = torchvision.models.segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False).eval()
    fill(dl)
    x = det_input("deeplab_input", (1, 3, 161, 161))
    case("deeplabv3_161", "deeplabv3_resnet50", ("deeplab_input", x), {"out": dl(x)["out"]}, 1e-3, "rel")

    # MaskContrast: decoder = classifier[0..3], 32-d head with bias, 1-channel saliency head without bias
    mc_dec = nn.Sequential(*list(dl.classifier.children())[:4])
    mc_head, mc_sal = nn.Conv2d(256, 32, 1), nn.Conv2d(256, 1, 1, bias=False)
    with torch.no_grad():
        for n_, mod in (("head", mc_head), ("classification_head", mc_sal)):
            for k, t in mod.state_dict().items():
                t.copy_(value(f"{n_}.{k}", tuple(t.shape)))
    x = det_input("mc_input", (1, 3, 97, 97))
    f = mc_dec(dl.backbone(x)["out"])
    up = lambda t: F.interpolate(t, size=x.shape[-2:], mode="bilinear", align_corners=False)
    case("maskcontrast_97", "maskcontrast_resnet50", ("mc_input", x), {"embedding": up(mc_head(f)), "saliency": up(mc_sal(f))}, 1e-3, "rel")

    # gradients: train-mode DeepLab-v3 with CE (ignore 255), and a ViT loss at an interpolated size
    torch.set_grad_enabled(True)
    # in float64 on both sides: train-mode BN through 50 layers makes this gradient ill-conditioned, and
    # torch's own float32 gradient has cosine ~0.99975 to the float64 one (the Java float32 one likewise)
    dl.double().train()
    dl.classifier[0].project[3].eval()   # dropout off (its mask cannot match across RNGs); BN uses batch statistics
    x = det_input("deeplab_grad_input", (2, 3, 33, 33)).double().requires_grad_(True)
    tgt = torch.from_numpy(((uniform("deeplab_grad_target", 2 * 33 * 33) + 1) * 11).astype(np.int64).reshape(2, 33, 33))
    tgt[tgt > 20] = 255
    loss = F.cross_entropy(dl(x)["out"], tgt, ignore_index=255)
    loss.backward()
    dgrads = {"loss": loss.reshape(1), "grad.input": x.grad}
    for p in ("backbone.conv1.weight", "backbone.layer1.0.bn1.weight", "backbone.layer4.2.conv2.weight",
              "classifier.0.convs.1.0.weight", "classifier.0.convs.4.1.weight", "classifier.0.project.0.weight", "classifier.4.bias"):
        dgrads["grad." + p] = dict(dl.named_parameters())[p].grad
    dgrads = {k: v.float() for k, v in dgrads.items()}
    tensors["deeplab_grad.target"] = tgt
    case("deeplab_grad", "deeplabv3_resnet50", ("deeplab_grad_input", x.detach().float()), dgrads, 0.9999, "cosine")

    x = det_input("vit_grad_input", (1, 3, 64, 96)).requires_grad_(True)
    out = vit(x)
    r = det_input("vit_grad_weight", tuple(out["tokens"].shape))
    loss = (out["tokens"] * r).sum() + out["attn_last"].pow(2).sum()
    loss.backward()
    vgrads = {"loss": loss.reshape(1), "grad.input": x.grad}
    for p in ("pos_embed", "cls_token", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "blocks.5.norm1.weight",
              "blocks.11.attn.qkv.bias", "blocks.11.mlp.fc2.weight", "norm.weight"):
        vgrads["grad." + p] = dict(vit.named_parameters())[p].grad
    case("vit_grad", "vit_small_patch16", ("vit_grad_input", x.detach()), vgrads, 0.9999, "cosine")

    write_safetensors(os.path.join(OUT, "models.safetensors"), tensors)
    with open(os.path.join(OUT, "models.json"), "w") as fh:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": cases}, fh, indent=1)
    write_pth_fixtures(PTH_OUT)


def write_pth_fixtures(d):
    torch.manual_seed(0)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    plain = collections.OrderedDict([
        ("conv.weight", torch.randn(4, 3, 3, 3)), ("conv.bias", torch.randn(4)),
        ("transposed", base.t()),                 # non-contiguous: strides (1, 6)
        ("row", base[2]),                         # shares base's storage at offset 12
        ("half", torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16)),
        ("bf16", torch.tensor([1.0, -3.5], dtype=torch.bfloat16)),
        ("double", torch.tensor([0.1, 0.2], dtype=torch.float64)),
        ("long", torch.tensor([[1, -2], [3, 1 << 40]])), ("int", torch.tensor([7, -8], dtype=torch.int32)),
        ("mask", torch.tensor([True, False, True])), ("bytes", torch.tensor([0, 255], dtype=torch.uint8)),
        ("bn.num_batches_tracked", torch.tensor(5)),
    ])
    torch.save(plain, os.path.join(d, "plain.pth"))
    student = collections.OrderedDict([("module.backbone.cls_token", torch.randn(1, 1, 8))])
    teacher = collections.OrderedDict([("backbone.cls_token", torch.ones(1, 1, 8)), ("head.last_layer.weight", torch.randn(3, 8))])
    torch.save({"student": student, "teacher": teacher, "epoch": 100, "lr": 0.5, "name": "dino",
                "args": argparse.Namespace(arch="vit_small", patch_size=16)}, os.path.join(d, "nested.pth"))
    torch.save(nn.Linear(2, 3).state_dict(), os.path.join(d, "parameter.pth"))
    torch.save(plain, os.path.join(d, "legacy.pth"), _use_new_zipfile_serialization=False)
    for name, module, fn in (("evil_os_system.pth", "os", "system"), ("evil_eval.pth", "builtins", "eval")):
        pkl = b"\x80\x02c" + module.encode() + b"\n" + fn.encode() + b"\nq\x00X\x0e\x00\x00\x00touch /tmp/pwnq\x01\x85q\x02Rq\x03."
        with zipfile.ZipFile(os.path.join(d, name), "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", pkl)
            z.writestr("archive/version", "3\n")


if __name__ == "__main__":
    main()
