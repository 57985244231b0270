#!/usr/bin/env python3
"""Peer timings for `maskseg bench kernels`: PyTorch CPU and numpy (OpenBLAS), same kernels and shapes.

Prints a JSON list of {"kernel", "shape", "backend", "threads", "ms", "gflops"} to stdout; backend is
"torch" or "openblas". Missing packages are skipped with a note on stderr. Debian: python3-torch,
python3-numpy.
"""
import json, os, subprocess, sys, time

QUICK = "--quick" in sys.argv
CORES = os.cpu_count() or 1
SGEMM = [(1024, 1024, 1024), (197, 384, 1152), (197, 1536, 384)]


def timed(fn):
    budget = 0.3 if QUICK else 2.0
    start = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - start < budget / 2:
        fn(); n += 1
    ms, start = [], time.perf_counter()
    while len(ms) < 3 or (time.perf_counter() - start < budget and len(ms) < 200):
        t0 = time.perf_counter(); fn(); ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    return ms[len(ms) // 2]


def rec(kernel, shape, backend, threads, ms, flops):
    return {"kernel": kernel, "shape": shape, "backend": backend, "threads": threads, "ms": ms,
            "gflops": flops / ms / 1e6 if flops else 0.0}


def numpy_records(threads):
    import numpy as np
    rng = np.random.default_rng(0)
    out = []
    for m, n, k in SGEMM:
        a = rng.standard_normal((m, k), dtype=np.float32); b = rng.standard_normal((k, n), dtype=np.float32)
        out.append(rec("sgemm", f"{m}x{n}x{k}", "openblas", threads, timed(lambda: a @ b), 2.0 * m * n * k))
    return out


def torch_records(threads):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = []
    with torch.no_grad():
        for m, n, k in SGEMM:
            a, b = torch.randn(m, k), torch.randn(k, n)
            out.append(rec("sgemm", f"{m}x{n}x{k}", "torch", threads, timed(lambda: a @ b), 2.0 * m * n * k))
        x, w = torch.randn(8, 64, 56, 56), torch.randn(64, 64, 3, 3)
        out.append(rec("conv2d", "8x64x56x56 k3 64->64", "torch", threads, timed(lambda: F.conv2d(x, w, padding=1)),
                       2.0 * 8 * 64 * 56 * 56 * 64 * 9))
        x1, w1 = torch.randn(8, 256, 56, 56), torch.randn(64, 256, 1, 1)
        out.append(rec("conv2d", "8x256x56x56 k1 256->64", "torch", threads, timed(lambda: F.conv2d(x1, w1)),
                       2.0 * 8 * 256 * 56 * 56 * 64))
        q, k_, v = torch.randn(1, 6, 197, 64), torch.randn(1, 6, 197, 64), torch.randn(1, 6, 197, 64)
        out.append(rec("attention", "1x6x197x64", "torch", threads,
                       timed(lambda: F.softmax(q @ k_.transpose(-1, -2) * 0.125, dim=-1) @ v), 4.0 * 6 * 197 * 197 * 64))
        ln, lw, lb = torch.randn(8 * 197, 384), torch.randn(384), torch.randn(384)
        out.append(rec("layernorm", "1576x384", "torch", threads, timed(lambda: F.layer_norm(ln, (384,), lw, lb, 1e-6)), 0))
        sm = torch.randn(8 * 6 * 197, 197)
        out.append(rec("softmax", "9456x197", "torch", threads, timed(lambda: F.softmax(sm, dim=-1)), 0))
    return out


def model_records(threads):
    """libtorch CPU (through PyTorch) on the model benchmarks: ViT-S/16 (torchvision's VisionTransformer at DINO's
    ViT-S sizes, same FLOPs), ResNet-50, DeepLab-v3 forward+backward in train mode."""
    import torch
    import torch.nn.functional as F
    import torchvision
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    runs = 2 if QUICK else 5

    def med(fn):
        fn()
        ms = []
        for _ in range(runs):
            t0 = time.perf_counter(); fn(); ms.append((time.perf_counter() - t0) * 1e3)
        ms.sort()
        return ms[len(ms) // 2]

    def rec_m(model, shape, mode, ms, images):
        return {"model": model, "shape": shape, "mode": mode, "backend": "torch", "threads": threads, "ms": ms,
                "images_per_second": images * 1000.0 / ms}

    out = []
    vit = torchvision.models.VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384,
                                               mlp_dim=1536).eval()
    with torch.no_grad():
        for b in (1, 8):
            x = torch.randn(b, 3, 224, 224)
            out.append(rec_m("vit_small_patch16", f"{b}x3x224x224", "forward", med(lambda: vit(x)), b))
        rn = torchvision.models.resnet50().eval()
        x = torch.randn(1, 3, 224, 224)
        out.append(rec_m("resnet50", "1x3x224x224", "forward", med(lambda: rn(x)), 1))
    dl = torchvision.models.segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False).train()
    x, t = torch.randn(2, 3, 321, 321), torch.randint(0, 21, (2, 321, 321))

    def step():
        dl.zero_grad()
        F.cross_entropy(dl(x)["out"], t, ignore_index=255).backward()
    out.append(rec_m("deeplabv3_resnet50", "2x3x321x321", "forward+backward", med(step), 2))
    return out


def main():
    for peer, fn in (("numpy", numpy_records), ("torch", torch_records), ("models", model_records)):
        if f"--{peer}-threads" in sys.argv:
            print(json.dumps(fn(int(sys.argv[sys.argv.index(f"--{peer}-threads") + 1]))))
            return
    records = []
    for peer in (("models",) if "--models" in sys.argv else ("numpy", "torch")):
        for t in sorted({1, CORES}):
            # Debian's torch runs matmul on the system OpenBLAS, whose pool ignores torch.set_num_threads:
            # each thread count runs in its own process with every BLAS/OpenMP pool capped.
            env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
            args = [sys.executable, __file__, f"--{peer}-threads", str(t)] + (["--quick"] if QUICK else [])
            r = subprocess.run(args, env=env, capture_output=True, text=True)
            if r.returncode == 0:
                records += json.loads(r.stdout)
            else:
                last = r.stderr.strip().splitlines()[-1:] or ["no output"]
                print(f"peers: {peer} unavailable: {last[0]}", file=sys.stderr)
                break
    print(json.dumps(records))


if __name__ == "__main__":
    main()
