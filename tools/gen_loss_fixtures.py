#!/usr/bin/python3
"""PyTorch references of MaskContrast's loss (docs/methods.md §2.5) and MaskDistill's hard-pixel-mining CE (§3.6).

Run once with Debian's python3-torch: /usr/bin/python3 tools/gen_loss_fixtures.py. Writes
pipeline/src/test/resources/losses.safetensors (inputs, losses, gradients); LossParityTest compares to 1e-5.
The reference is written from the spec in the style of the official code (builder.py, losses.py).
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_writer import write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "src", "test", "resources", "losses.safetensors")


def balanced_bce(logits, mask):
    labels = mask.to(logits.dtype)
    num_pos = labels.sum()
    num_total = labels.numel()
    w = (num_total - num_pos) / num_total
    loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="none")
    return (w * (loss * labels).sum() + (1 - w) * (loss * (1 - labels)).sum()) / num_total


def maskcontrast(eq, sq, mq, ek, mk, queue, t):
    b, d, h, w = eq.shape
    q = F.normalize(eq, dim=1)
    sal = balanced_bce(sq.reshape(b, h, w), mq)
    k = F.normalize(ek, dim=1)
    protos = F.normalize((k * mk.reshape(b, 1, h, w)).sum((2, 3)), dim=1)
    q = q.permute(0, 2, 3, 1).reshape(-1, d)
    sel = mq.reshape(-1) > 0.5
    offset = torch.arange(b).reshape(b, 1, 1).expand(b, h, w).reshape(-1)
    pix, labels = q[sel], offset[sel]
    logits = torch.cat([pix @ protos.t(), pix @ queue], 1) / t
    counts = torch.bincount(labels, minlength=b).double()
    weight = torch.ones(b + queue.shape[1], dtype=torch.float64)
    weight[:b] = 1 / torch.log(1.02 + counts / labels.numel())
    con = F.cross_entropy(logits, labels, weight=weight)
    return con + sal, con, sal, protos


def ohem(logits, target, frac):
    per = F.cross_entropy(logits, target, ignore_index=255, reduction="none").reshape(-1)
    k = min(int(frac * target.numel()), int((target != 255).sum()))
    return per.topk(k)[0].mean()


def main():
    torch.manual_seed(0)
    b, d, h, w, kq = 3, 8, 7, 9, 6
    eq = torch.randn(b, d, h, w, dtype=torch.float64, requires_grad=True)
    sq = torch.randn(b, 1, h, w, dtype=torch.float64, requires_grad=True)
    mq = (torch.rand(b, h, w) < 0.4).double()
    ek = torch.randn(b, d, h, w, dtype=torch.float64)
    mk = (torch.rand(b, h, w) < 0.5).double()
    queue = F.normalize(torch.randn(d, kq, dtype=torch.float64), dim=0)
    total, con, sal, protos = maskcontrast(eq, sq, mq, ek, mk, queue, 0.5)
    total.backward()
    logits = torch.randn(2, 5, 6, 7, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 5, (2, 6, 7))
    target[torch.rand(2, 6, 7) < 0.3] = 255
    hard = ohem(logits, target, 0.2)
    hard.backward()
    t = {"eq": eq.detach(), "sq": sq.detach(), "mq": mq, "ek": ek, "mk": mk, "queue": queue,
         "total": total.detach().reshape(1), "con": con.detach().reshape(1), "sal": sal.detach().reshape(1),
         "protos": protos.detach(), "grad_eq": eq.grad, "grad_sq": sq.grad,
         "ohem_logits": logits.detach(), "ohem_target": target, "ohem_loss": hard.detach().reshape(1), "ohem_grad": logits.grad}
    write_safetensors(OUT, t)
    print("maskcontrast", float(total), float(con), float(sal), "ohem", float(hard))


if __name__ == "__main__":
    main()
