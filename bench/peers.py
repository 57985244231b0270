#!/usr/bin/env python3
"""Peer timings for `maskseg bench kernels|models|train`: PyTorch CPU and numpy (OpenBLAS), same cases and shapes.

    peers.py [--kind kernels|models|train] [--quick] [--threads 1,2] [--cases ID,...] [--setup-venv]
    (--models / --train are the older spellings of --kind models / --kind train)

--cases: for train the step ids (maskcontrast-step, maskdistill-step); for models the model_shape stems
(resnet50_1x3x224x224), as `maskseg bench models --cases` passes them.

Prints one JSON list of records (docs/design.md §4, fields per kind; "backend" is the peer's name: torch-2.13,
torch-1.13, openblas) to stdout; notes go to stderr. A missing interpreter or package is skipped with a note, never an
error. Only the standard library is needed here: the peers run in processes of their own (bench/peer_cases.py), one per
library, interpreter and thread count.

Interpreters, each used for the libraries it has (torch, numpy; the same torch version is measured once):
  * MASKSEG_PYTHON, else /usr/bin/python3 (Debian's python3-torch 1.13 and numpy, both on the system OpenBLAS);
  * MASKSEG_PEER_PYTHON, an interpreter with a recent PyTorch (say a virtual environment's bin/python); else the
    virtual environment MASKSEG_PEER_VENV (default ~/.cache/maskseg/peer-venv), created on first use when pip is
    configured with a local index (file:// URLs or find-links folders): `pip install torch==2.13.*` from those only,
    never the network (MASKSEG_PEER_TORCH overrides the requirement).

Environment of every peer process (the JVM's own environment is left alone):
  * OMP_NUM_THREADS, MKL_NUM_THREADS, OPENBLAS_NUM_THREADS = the thread count (Debian's torch runs matmul on the system
    OpenBLAS, whose pool ignores torch.set_num_threads);
  * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, so OpenBLAS picks its kernels for this CPU as a user's would (each
    record's "peer.blas" names the core type it used);
  * no thread pinning and the OpenMP runtime's default wait policy, as for the JVM side, whose threads are not pinned
    either (bench/results/README.md, "Two threads").
"""
import json, os, subprocess, sys, venv

HERE = os.path.dirname(os.path.abspath(__file__))
ARGS = sys.argv[1:]
QUICK = "--quick" in ARGS
CORES = os.cpu_count() or 1


def arg(name, default=None):
    return ARGS[ARGS.index(name) + 1] if name in ARGS else default


def note(msg):
    print(f"peers: {msg}", file=sys.stderr, flush=True)


def kind():
    if "--models" in ARGS:
        return "models"
    if "--train" in ARGS:
        return "train"
    return arg("--kind", "kernels")


def thread_counts():
    t = arg("--threads")
    return [int(x) for x in t.split(",")] if t else sorted({1, CORES})


def peer_env(threads):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[k] = str(threads)
    return env


def probe(python, module):
    """The module's version under that interpreter, or None."""
    try:
        r = subprocess.run([python, "-c", f"import {module}; print({module}.__version__)"], capture_output=True, text=True,
                           timeout=300, env=peer_env(1))
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else None


def local_pip_sources():
    """(index URLs, find-links) from pip's configuration files and PIP_* variables that point into this machine."""
    import configparser
    files = ["/etc/pip.conf", "/etc/xdg/pip/pip.conf", os.path.expanduser("~/.pip/pip.conf"),
             os.path.expanduser("~/.config/pip/pip.conf"), os.environ.get("PIP_CONFIG_FILE", "")]
    values = {"index-url": [], "extra-index-url": [], "find-links": []}
    for f in files:
        if not f or not os.path.isfile(f):
            continue
        cp = configparser.ConfigParser()
        try:
            cp.read(f)
        except configparser.Error:
            continue
        for section in ("global", "install"):
            for key in values:
                if cp.has_option(section, key):
                    values[key] += cp.get(section, key).split()
    for key in values:
        values[key] += os.environ.get("PIP_" + key.upper().replace("-", "_"), "").split()
    indexes, links = [], []
    for key, vs in values.items():
        for v in vs:
            path = v[len("file://"):] if v.startswith("file://") else v
            if not (v.startswith("file://") or os.path.isabs(v)) or not os.path.exists(path):
                continue   # a network source: never used here
            if key == "find-links":
                links.append(path)
            else:
                indexes.append("file://" + path)
    return list(dict.fromkeys(indexes)), list(dict.fromkeys(links))


def peer_venv():
    """An interpreter with a recent PyTorch: MASKSEG_PEER_PYTHON, or the peers' virtual environment (made if needed)."""
    given = os.environ.get("MASKSEG_PEER_PYTHON")
    if given:
        return given
    home = os.environ.get("MASKSEG_PEER_VENV", os.path.join(os.path.expanduser("~"), ".cache", "maskseg", "peer-venv"))
    python = os.path.join(home, "bin", "python")
    if os.path.exists(python):
        return python
    indexes, links = local_pip_sources()
    if not indexes and not links:
        note("no local pip index configured: no virtual environment with a recent PyTorch (set MASKSEG_PEER_PYTHON)")
        return None
    requirement = os.environ.get("MASKSEG_PEER_TORCH", "torch==2.13.*")
    note(f"creating {home} with {requirement} from the local index ({', '.join(indexes + links)})")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(home)
        cmd = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if indexes:
            cmd += ["--index-url", indexes[0]] + [a for i in indexes[1:] for a in ("--extra-index-url", i)]
        else:
            cmd += ["--no-index"]
        cmd += [a for link in links for a in ("--find-links", link)]
        # PIP_CONFIG_FILE=os.devnull: only the sources given here, so pip never falls back to the network
        r = subprocess.run(cmd + [requirement, "numpy"], capture_output=True, text=True, timeout=1800,
                           env=dict(os.environ, PIP_CONFIG_FILE=os.devnull))
    except (OSError, subprocess.TimeoutExpired) as e:
        note(f"could not create {home}: {e}")
        return None
    if r.returncode != 0:
        note(f"pip could not install {requirement} from the local index: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
        return None
    return python


def interpreters():
    system = os.environ.get("MASKSEG_PYTHON") or ("/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)
    found, torch_versions = [], set()
    for python in (system, peer_venv()):
        if python is None:
            continue
        libs = []
        tv = probe(python, "torch")
        if tv is None:
            note(f"{python}: no torch")
        elif tv in torch_versions:
            note(f"{python}: torch {tv} already measured")
        else:
            torch_versions.add(tv)
            libs.append("torch")
        if python == system:   # numpy/OpenBLAS once, from the system interpreter
            if probe(python, "numpy"):
                libs.append("numpy")
            else:
                note(f"{python}: no numpy")
        if libs:
            found.append((python, libs))
    return found


TRAIN_CASES = ["maskcontrast-step", "maskdistill-step"]


def run(python, lib, what, threads, case=None):
    args = [python, os.path.join(HERE, "peer_cases.py"), "--kind", what, "--lib", lib, "--threads", str(threads)]
    if case:
        args += ["--case", case]
    if what == "models" and arg("--cases"):   # model_shape stems, as maskseg bench models --cases passes them
        args += ["--cases", arg("--cases")]
    if QUICK:
        args.append("--quick")
    try:
        r = subprocess.run(args, env=peer_env(threads), capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired:
        note(f"{lib} ({python}) with {threads} thread(s) timed out")
        return None
    if r.returncode != 0:
        note(f"{lib} ({python}) unavailable: {(r.stderr.strip().splitlines() or ['no output'])[-1]}")
        return None
    return json.loads(r.stdout)


def main():
    if "--setup-venv" in ARGS:
        python = peer_venv()
        print(python or "", flush=True)
        sys.exit(0 if python else 1)
    what, records = kind(), []
    for python, libs in interpreters():
        for lib in libs:
            if lib == "numpy" and what != "kernels":
                continue
            # a training step runs in a process of its own, so its resident-set peak is its own
            cases = [c for c in TRAIN_CASES if not arg("--cases") or c in arg("--cases").split(",")] if what == "train" else [None]
            for t in thread_counts():
                results = [run(python, lib, what, t, c) for c in cases]
                if any(r is None for r in results):
                    break
                records += [x for r in results for x in r]
    print(json.dumps(records))


if __name__ == "__main__":
    main()
