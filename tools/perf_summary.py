#!/usr/bin/env python3
"""Issue 20's acceptance criteria read off one tools/perf-figures.sh run: prints a Markdown summary.

    tools/perf_summary.py DIR [--baseline-kernels FILE] [--baseline-models FILE]

Records of a --rounds run (ours and the peers timed in turn, each carrying "round") count by their median over the
rounds, per case, backend and thread count.

DIR holds the run's kernels.json, models.json, train.json (maskseg bench records; the peers measured in the same run
are in them, the JVM peers ONNX Runtime Java and DJL included) and train-minheap.json (the smallest-heap search), any
of them optional, and interleaved.json (tools/perf-figures.sh's interleaved part). A ratio
is the best peer's time over ours at the same case and thread count: 1.00x or more meets "≥ 1.0x the best peer".
The baseline files (default: the committed bench/results/kernels-jvm-aparapi-pocl-2core.json and models-jvm-2core.json)
were taken on another day, maybe another machine: their absolute times are context; the same-run ratios decide.
Standard library only.
"""
import json, os, sys

OURS = {"jvm", "jvm-frozen"}
NOT_PEERS = {"jvm", "aparapi", "reference", "tornado"}
HERE = os.path.dirname(os.path.abspath(__file__))


def load(path, rounds=True):
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        records = json.load(f)
    return medians(records) if rounds else records


def median(values):
    s, n = sorted(values), len(values)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def medians(records):
    """A --rounds run (records with "round"): one record per case, backend and thread count, its median over the rounds."""
    groups = {}
    for r in records:
        groups.setdefault((key(r), r["backend"], r["threads"]), []).append(r)
    out = []
    for g in groups.values():
        r = dict(g[0])
        if len(g) > 1:
            r["ms"] = median([x["ms"] for x in g])
            r["cpu_ms" if "cpu_ms" in r else "cpuMs"] = median([x.get("cpu_ms", x.get("cpuMs", 0)) for x in g])
            r["rounds"] = len(g)
        out.append(r)
    return out


def key(r):
    if "kernel" in r:
        return f"{r['kernel']} {r['shape']}"
    return f"{r['model']} {r['shape']} {r['mode']}"


def is_peer(r):
    return not any(r["backend"].startswith(b) for b in NOT_PEERS)


def peak(r):
    return r.get("peakMb") or r.get("rss_peak_mb") or r.get("peak_mb")


def compare(records, case_filter):
    """Rows (case, threads, ours ms, best peer ms, best peer, ratio, every peer's ms) for the cases the filter keeps."""
    rows = []
    for r in records:
        if r["backend"] not in OURS or not case_filter(key(r)):
            continue
        peers = [p for p in records if is_peer(p) and key(p) == key(r) and p["threads"] == r["threads"]]
        best = min(peers, key=lambda p: p["ms"]) if peers else None
        case = key(r) if r["backend"] == "jvm" else f"{key(r)} ({r['backend']})"   # e.g. the frozen-inference row
        if r.get("rounds"):
            case += f", median of {r['rounds']} rounds"
        rows.append((case, r["threads"], r["ms"], best, {p["backend"]: p["ms"] for p in peers}))
    return rows


def verdict(ratio):
    return "met" if ratio >= 1.0 else "NOT met"


def table(title, rows):
    out = [f"### {title}", "", "| case | threads | ours ms | best peer | peer ms | ratio | verdict | all peers (ms) |",
           "|---|---|---|---|---|---|---|---|"]
    for case, t, ms, best, allp in rows:
        if best is None:
            out.append(f"| {case} | {t} | {ms:.2f} | - | - | - | no peer | |")
            continue
        ratio = best["ms"] / ms
        others = ", ".join(f"{b} {v:.2f}" for b, v in sorted(allp.items(), key=lambda kv: kv[1]))
        out.append(f"| {case} | {t} | {ms:.2f} | {best['backend']} | {best['ms']:.2f} | {ratio:.2f}x | {verdict(ratio)} | {others} |")
    return out + [""]


def peer_scaling(records):
    """Each peer's 1 -> 2 thread speed-up and CPU/wall at 2 threads: a peer whose 2-thread figure is not sane shows here."""
    out = ["### 2-thread sanity of every timing (speed-up 1 -> 2 threads; CPU ms / (wall ms x 2) at 2 threads)", "",
           "| case | backend | 1t ms | 2t ms | speed-up | CPU use at 2t |", "|---|---|---|---|---|---|"]
    by = {}
    for r in records:
        by.setdefault((key(r), r["backend"]), {})[r["threads"]] = r
    for (case, backend), ts in sorted(by.items()):
        if 1 in ts and 2 in ts:
            two = ts[2]
            cpu = two.get("cpuMs") or two.get("cpu_ms")
            use = f"{cpu / (two['ms'] * 2):.0%}" if cpu else "-"
            out.append(f"| {case} | {backend} | {ts[1]['ms']:.2f} | {two['ms']:.2f} | {ts[1]['ms'] / two['ms']:.2f}x | {use} |")
    return out + [""]


def memory(train, minheap):
    out = ["### Peak memory over the first two training steps (MB; ours: live heap after GC at its peak, or the smallest "
           "-Xmx that runs them, + off-heap + non-heap; a peer's: its resident-set peak, libraries included; the second "
           "step is the steady state, with gradients and momentum alive)", "",
           "| case | threads | ours (live after GC) | ours (smallest heap) | peer | peer MB (step 1 / step 2) | ours ≤ peer |",
           "|---|---|---|---|---|---|---|"]
    smallest = {key(r): peak(r) for r in minheap if r["backend"] in OURS and r.get("memory", {}).get("min_heap_mb", -1) > 0}
    for r in train:
        if r["backend"] not in OURS:
            continue
        for p in train:
            if is_peer(p) and key(p) == key(r) and p["threads"] == r["threads"] and peak(p):
                mh = smallest.get(key(r))
                ours = mh if mh else peak(r)
                m = p.get("memory", p)
                steps = f" ({m.get('rss_peak_first_step_mb', 0):.0f} / {m.get('rss_peak_second_step_mb', 0):.0f})" \
                    if m.get("rss_peak_second_step_mb") else ""
                out.append(f"| {key(r)} | {r['threads']} | {peak(r):.0f} | {f'{mh:.0f}' if mh else '-'} | {p['backend']} | "
                           f"{peak(p):.0f}{steps} | {'met' if ours <= peak(p) else 'NOT met'} |")
    return out + [""]


def baseline(now, before, case_filter, title):
    """Our times and same-run ratios now against the committed results."""
    out = [f"### {title}: now vs the committed bench/results (absolute ms are from another run; the ratios decide)", "",
           "| case | threads | ms before | ms now | ratio to best peer before | now | now, against that peer |", "|---|---|---|---|---|---|---|"]
    old = {(c, t): (ms, best) for c, t, ms, best, _ in compare(before, case_filter)}
    for c, t, ms, best, peers in compare(now, case_filter):
        # a variant row (e.g. "... (jvm-frozen)") that the committed results lack stands against their plain row
        was = (c, t) if (c, t) in old else (c.split(" (")[0], t)
        if was not in old:
            continue
        oms, obest = old[was]
        rb = f"{obest['ms'] / oms:.2f}x ({obest['backend']})" if obest else "-"
        rn = f"{best['ms'] / ms:.2f}x ({best['backend']})" if best else "-"
        # the peers that were there before (a name then may cover several now: "torch" -> torch-1.13, torch-2.13)
        same = {b: p for b, p in peers.items() if obest and b.startswith(obest["backend"])}
        rs = "-" if not same else f"{min(same.values()) / ms:.2f}x ({min(same, key=same.get)})"
        out.append(f"| {c} | {t} | {oms:.2f} | {ms:.2f} | {rb} | {rn} | {rs} |")
    return out + [""]


def interleaved(records):
    """InterleavedMain's records (ours and ONNX Runtime Java in alternating windows, one JVM): the same-moment ratio."""
    if not records:
        return []
    out = ["## Ours against ONNX Runtime Java in alternating windows (one JVM, the same moments)", "",
           "| case | threads | ours ms (median) | ONNX Runtime ms (median) | ratio | ours faster in | windows |", "|---|---|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: (r["case"], r["threads"])):
        out.append(f"| {r['case']} | {r['threads']} | {r['ours_ms_median']:.2f} | {r['peer_ms_median']:.2f} | {r['ratio']:.2f}x | "
                   f"{r['ours_faster_windows']} of {r['windows']} | {r['window_ms']} ms each |")
    return out + [""]


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if args else 2)
    d = args[0]

    def opt(name, default):
        return args[args.index(name) + 1] if name in args else default
    results = os.path.join(HERE, "..", "bench", "results")
    kernels = load(os.path.join(d, "kernels.json"))
    models = load(os.path.join(d, "models.json"))
    train = load(os.path.join(d, "train.json"))
    old_k = load(opt("--baseline-kernels", os.path.join(results, "kernels-jvm-aparapi-pocl-2core.json")))
    old_m = load(opt("--baseline-models", os.path.join(results, "models-jvm-2core.json")))

    out = ["# Issue 20 acceptance figures", ""]
    header = os.path.join(d, "header.txt")
    if os.path.isfile(header):
        with open(header) as f:
            out += ["```", f.read().rstrip(), "```", ""]
    out += table("ResNet-50 forward, DeepLab-v3 forward+backward (≥ 1.0x the best peer)",
                 compare(models, lambda k: k.startswith(("resnet50 ", "deeplabv3_resnet50 "))))
    out += table("Training steps (≥ 1.0x the best peer)", compare(train, lambda k: True))
    out += table("Kernels: conv2d 3x3 and 1x1, softmax, layer norm (≥ 1.0x the best peer)",
                 compare(kernels, lambda k: k.startswith(("conv2d", "softmax", "layernorm"))))
    out += memory(train, load(os.path.join(d, "train-minheap.json")))
    out += baseline(kernels, old_k, lambda k: k.startswith(("sgemm", "softmax", "layernorm")), "Earlier kernel figures")
    out += baseline(models, old_m, lambda k: k.startswith("vit_"), "Earlier ViT figures")
    out += peer_scaling(kernels + models + train)
    out += interleaved(load(os.path.join(d, "interleaved.json"), rounds=False))
    print("\n".join(out))


if __name__ == "__main__":
    main()
