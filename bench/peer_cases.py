#!/usr/bin/env python3
"""The peer side of one benchmark kind, run by bench/peers.py in a process of its own for one library and thread count.

    peer_cases.py --kind kernels|models|train --lib torch|numpy --threads N [--quick] [--case ID] [--cases STEM,...]

--case: one training step (train); --cases: the models to time, as model_shape stems (resnet50_1x3x224x224; models).

Prints a JSON list of records with the fields of docs/design.md §4 for the kind, the peer's name as "backend", and
"peer": {name, version, blas, kernel, threads, env} saying what ran. Timings are medians of wall-clock calls after a
warm-up; "cpu_ms" is the process CPU time per call over the same calls (all threads), so a peer whose threads waited
for a CPU shows wall x threads well above its CPU time. Train records carry "rss_peak_mb": the process's resident-set
high-water mark during the first step (reset just before it), weights and libraries included.
"""
import ctypes, json, os, resource, sys, time

ARGS = sys.argv[1:]
QUICK = "--quick" in ARGS
KIND = ARGS[ARGS.index("--kind") + 1]
LIB = ARGS[ARGS.index("--lib") + 1]
THREADS = int(ARGS[ARGS.index("--threads") + 1])
SGEMM = [(1024, 1024, 1024), (197, 384, 1152), (197, 1536, 384)]
CASE = ARGS[ARGS.index("--case") + 1] if "--case" in ARGS else None
MODEL_CASES = ARGS[ARGS.index("--cases") + 1].split(",") if "--cases" in ARGS else None
# the training-step cases of bench/src/main/java/dev/maskseg/bench/TrainCases.java: id -> (model, shape, step class name)
TRAIN_CASES = {"maskcontrast-step": ("maskcontrast_resnet50", "2x3x224x224", "MaskContrastStep"),
               "maskdistill-step": ("deeplabv3_resnet50", "2x3x321x321", "MaskDistillStep")}


def timed(fn, budget=None):
    """(median wall ms, CPU ms per call) of as many calls as fit the budget after a warm-up of half of it."""
    budget = budget if budget is not None else (0.3 if QUICK else 2.0)
    start, n = time.perf_counter(), 0
    while n < 3 or time.perf_counter() - start < budget / 2:
        fn(); n += 1
    ms, start, cpu0 = [], time.perf_counter(), time.process_time()
    while len(ms) < 3 or (time.perf_counter() - start < budget and len(ms) < 200):
        t0 = time.perf_counter(); fn(); ms.append((time.perf_counter() - t0) * 1e3)
    cpu = (time.process_time() - cpu0) * 1e3 / len(ms)
    ms.sort()
    return ms[len(ms) // 2], cpu


def timed_runs(fn, warm, runs):
    """warm calls, then the median of at least runs calls and, in full mode, of every call in a 4-second window (at most
    200): the final window ours (ModelBench) and the JVM peers (PeerTiming) time a model in."""
    for _ in range(warm):
        fn()
    budget = 0.0 if QUICK else 4.0
    ms, cpu0, start = [], time.process_time(), time.perf_counter()
    while len(ms) < runs or (time.perf_counter() - start < budget and len(ms) < 200):
        t0 = time.perf_counter(); fn(); ms.append((time.perf_counter() - t0) * 1e3)
    cpu = (time.process_time() - cpu0) * 1e3 / len(ms)
    ms.sort()
    return ms[len(ms) // 2], cpu


def openblas_kernel():
    """The core type OpenBLAS picked in this process (None when no OpenBLAS is loaded)."""
    try:
        import threadpoolctl
        for lib in threadpoolctl.threadpool_info():
            if lib.get("internal_api") == "openblas":
                return f"OpenBLAS {lib.get('version')} {lib.get('architecture')}"
    except ImportError:
        pass
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in os.path.basename(line.split()[-1]).lower()})
    except OSError:
        return None
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
        except OSError:
            continue
        for prefix, suffix in (("openblas", ""), ("openblas", "64_"), ("scipy_openblas", "64_"), ("scipy_openblas", "")):
            core = getattr(lib, f"{prefix}_get_corename{suffix}", None)
            if core is None:
                continue
            core.restype = ctypes.c_char_p
            config = getattr(lib, f"{prefix}_get_config{suffix}", None)
            if config is not None:
                config.restype = ctypes.c_char_p
            return f"{config().decode() if config else 'OpenBLAS'}, core {core().decode()}"
    return None


def peer_info(name, version, blas):
    env = {k: os.environ[k] for k in sorted(os.environ) if k.startswith(("OMP_", "KMP_", "MKL_", "OPENBLAS_", "GOMP_"))}
    return {"name": name, "version": version, "blas": blas, "threads": THREADS, "env": env,
            "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}


def torch_peer():
    import torch
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    cfg = torch.__config__.show()
    torch.randn(64, 64) @ torch.randn(64, 64)   # loads the BLAS, so an OpenBLAS core type can be read
    # torch's own BLAS: MKL when it says so; otherwise the system BLAS it links (OpenBLAS on Debian, BLAS_INFO=generic)
    blas = "MKL" if "BLAS_INFO=mkl" in cfg else openblas_kernel() or cfg.split("BLAS_INFO=")[-1].split(",")[0]
    if "MKL-DNN" in cfg or "oneDNN" in cfg:
        blas += " + oneDNN " + cfg.split("MKL-DNN v")[-1].split()[0] if "MKL-DNN v" in cfg else " + oneDNN"
    cap = [line.split(":")[-1].strip() for line in cfg.splitlines() if "CPU capability usage" in line]
    if cap:
        blas += f" ({cap[0]})"
    major_minor = ".".join(torch.__version__.split("+")[0].split(".")[:2])
    return torch, peer_info(f"torch-{major_minor}", torch.__version__, blas)


def kernel_records():
    if LIB == "numpy":
        import numpy as np
        rng = np.random.default_rng(0)
        a0 = rng.standard_normal((64, 64), dtype=np.float32)
        _ = a0 @ a0
        info = peer_info("openblas", np.__version__, openblas_kernel() or "numpy BLAS")
        out = []
        for m, n, k in SGEMM:
            a = rng.standard_normal((m, k), dtype=np.float32); b = rng.standard_normal((k, n), dtype=np.float32)
            out.append(rec("sgemm", f"{m}x{n}x{k}", info, timed(lambda: a @ b), 2.0 * m * n * k))
        return out
    torch, info = torch_peer()
    import torch.nn.functional as F
    out = []
    with torch.no_grad():
        for m, n, k in SGEMM:
            a, b = torch.randn(m, k), torch.randn(k, n)
            out.append(rec("sgemm", f"{m}x{n}x{k}", info, timed(lambda: a @ b), 2.0 * m * n * k))
        x, w = torch.randn(8, 64, 56, 56), torch.randn(64, 64, 3, 3)
        out.append(rec("conv2d", "8x64x56x56 k3 64->64", info, timed(lambda: F.conv2d(x, w, padding=1)), 2.0 * 8 * 64 * 56 * 56 * 64 * 9))
        x1, w1 = torch.randn(8, 256, 56, 56), torch.randn(64, 256, 1, 1)
        out.append(rec("conv2d", "8x256x56x56 k1 256->64", info, timed(lambda: F.conv2d(x1, w1)), 2.0 * 8 * 256 * 56 * 56 * 64))
        q, k_, v = torch.randn(1, 6, 197, 64), torch.randn(1, 6, 197, 64), torch.randn(1, 6, 197, 64)
        out.append(rec("attention", "1x6x197x64", info, timed(lambda: F.softmax(q @ k_.transpose(-1, -2) * 0.125, dim=-1) @ v),
                       4.0 * 6 * 197 * 197 * 64))
        ln, lw, lb = torch.randn(8 * 197, 384), torch.randn(384), torch.randn(384)
        out.append(rec("layernorm", "1576x384", info, timed(lambda: F.layer_norm(ln, (384,), lw, lb, 1e-6)), 0))
        sm = torch.randn(8 * 6 * 197, 197)
        out.append(rec("softmax", "9456x197", info, timed(lambda: F.softmax(sm, dim=-1)), 0))
    return out


def rec(kernel, shape, info, timing, flops):
    ms, cpu = timing
    return {"kernel": kernel, "shape": shape, "backend": info["name"], "threads": THREADS, "ms": ms,
            "gflops": flops / ms / 1e6 if flops else 0.0, "cpu_ms": cpu, "peer": info}


def model_records():
    torch, info = torch_peer()
    import torch.nn.functional as F
    import peer_models as pm
    warm, runs = (1, 2) if QUICK else (2, 5)

    def rec_m(model, shape, mode, timing, images):
        ms, cpu = timing
        return {"model": model, "shape": shape, "mode": mode, "backend": info["name"], "threads": THREADS, "ms": ms,
                "images_per_second": images * 1000.0 / ms, "cpu_ms": cpu, "peer": info}

    def wanted(model, shape):
        return MODEL_CASES is None or f"{model}_{shape}" in MODEL_CASES

    out = []
    with torch.no_grad():
        batches = [b for b in (1, 8) if wanted("vit_small_patch16", f"{b}x3x224x224")]
        vit = pm.ViT().eval() if batches else None
        for b in batches:
            x = torch.randn(b, 3, 224, 224)
            out.append(rec_m("vit_small_patch16", f"{b}x3x224x224", "forward", timed_runs(lambda: vit(x), warm, runs), b))
        if wanted("resnet50", "1x3x224x224"):
            rn = pm.ResNet50().eval()
            x = torch.randn(1, 3, 224, 224)
            out.append(rec_m("resnet50", "1x3x224x224", "forward", timed_runs(lambda: rn(x), warm, runs), 1))
    if wanted("deeplabv3_resnet50", "2x3x321x321"):
        dl = pm.DeepLabV3(21).train()
        x, t = torch.randn(2, 3, 321, 321), torch.randint(0, 21, (2, 321, 321))

        def step():
            dl.zero_grad()
            F.cross_entropy(dl(x), t, ignore_index=255).backward()
        out.append(rec_m("deeplabv3_resnet50", "2x3x321x321", "forward+backward", timed_runs(step, warm, runs), 2))
    return out


def rss_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def reset_rss_peak():
    """Resets VmHWM to the current RSS (Linux clear_refs 5); False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def train_records():
    torch, info = torch_peer()
    import peer_models as pm
    warm, runs = (1, 2) if QUICK else (2, 5)
    out = []
    for case in ([CASE] if CASE else TRAIN_CASES):
        model, shape, make = TRAIN_CASES[case]
        step = getattr(pm, make)()
        before = rss_mb("VmRSS")
        # the first step, then the second: the first has no gradients during its forward and makes the momentum buffers
        # only at its end; from the second on, both are alive throughout, as in every later step of a training run
        peaks = []
        for _ in range(2):
            if reset_rss_peak():
                step()
                peaks.append(rss_mb("VmHWM"))
            else:   # the lifetime peak: an upper bound when the case ran after another
                step()
                peaks.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
        ms, cpu = timed_runs(step, max(0, warm - 1), runs)
        out.append({"model": model, "shape": shape, "mode": "train step", "backend": info["name"], "threads": THREADS, "ms": ms,
                    "images_per_second": 2000.0 / ms, "cpu_ms": cpu, "rss_peak_mb": max(peaks), "rss_peak_first_step_mb": peaks[0],
                    "rss_peak_second_step_mb": peaks[1], "rss_before_mb": before, "peer": info})
        del step
    return out


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    print(json.dumps({"kernels": kernel_records, "models": model_records, "train": train_records}[KIND]()))
