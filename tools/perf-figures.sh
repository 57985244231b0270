#!/usr/bin/env bash
# Issue 20's acceptance figures in one run: maskseg bench kernels / models / train on the jvm backend with 1 and 2
# threads, next to every peer measured in the same run (PyTorch 2.13 and Debian's 1.13, numpy/OpenBLAS, and the JVM
# peers ONNX Runtime Java and DJL/libtorch when bench-jvm-peers is built), then tools/perf_summary.py's verdict per
# criterion. Take figures only on an otherwise idle machine (the script warns when the load average says it is not).
#
#   tools/perf-figures.sh [--quick] [--threads 1,2] [--only kernels,models,train] [--rounds N] [--model-cases ID,...] [--out DIR]
#
#   --rounds N          kernels and models: ours, then the peers, N times in turn (maskseg bench --rounds), so that both
#                       meet the same quiet and busy stretches of a shared machine; the summary takes medians over rounds
#   --model-cases IDS   models: only these cases (maskseg bench models --cases), e.g. resnet50,resnet50-frozen; interleaved:
#                       its cases too (default resnet50-frozen)
#   interleaved (a part of --only): ours and ONNX Runtime Java in one JVM, 20 alternating windows of 400 ms each
#                       (bench-jvm-peers' InterleavedMain): the two meet the same moments of the machine
#
#   --quick   short timing windows, training step maskdistill-step only, no smallest-heap search: checks that the run
#             works; its figures are not for the tables (default DIR: target/perf-figures-quick)
#   DIR       default bench/results/perf-<UTC date>-<cores>core; it holds, per part, <part>.json (the records),
#             <part>.txt (the table) and <part>.log (stderr; the JVM peers' records are in <part>.json), train-minheap.* (full mode: the
#             smallest -Xmx the DeepLab-v3 step runs in, 1 thread, no peers), header.txt and summary.md
# Environment: MASKSEG_PEER_PYTHON (an interpreter with PyTorch 2.13; else bench/peers.py makes its virtual
# environment from the local pip index), MASKSEG_PEER_MODELS (the JVM peers' exported models; exported here with
# that interpreter when missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source bin/env.sh

QUICK=0; THREADS=1,2; ONLY=kernels,models,train,interleaved; OUT=; ROUNDS=1; MODEL_CASES=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --threads) THREADS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --model-cases) MODEL_CASES="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "perf-figures: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$OUT" ]; then
  if [ $QUICK = 1 ]; then OUT=target/perf-figures-quick; else OUT="bench/results/perf-$(date -u +%Y%m%d)-$(nproc)core"; fi
fi
mkdir -p "$OUT"
Q=(); [ $QUICK = 1 ] && Q=(--quick)
want() { [[ ",$ONLY," == *",$1,"* ]]; }

{
  echo "date (UTC): $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores available"
  echo "cpu flags: $(grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (modified)')"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode: $([ $QUICK = 1 ] && echo 'quick (not for the tables)' || echo full), threads $THREADS, parts $ONLY$([ "$ROUNDS" = 1 ] || echo ", $ROUNDS rounds (ours, then the peers, in turn)")$([ -z "$MODEL_CASES" ] || echo ", model cases $MODEL_CASES")"
} | tee "$OUT/header.txt"
if awk '{exit !($1 > 0.5)}' /proc/loadavg; then
  echo "perf-figures: WARNING: load average $(cut -d' ' -f1 /proc/loadavg) > 0.5: other work is running; these figures mean little" >&2
fi

echo "perf-figures: building (mvn install -DskipTests)..." >&2
mvn -B -q -o install -DskipTests >&2
PEERS_JAR="$(ls bench-jvm-peers/target/bench-jvm-peers-*.jar 2>/dev/null | head -1 || true)"
if [ -f bench-jvm-peers/pom.xml ]; then
  mvn -B -q -o -Pjvm-peers -pl bench-jvm-peers -am install -DskipTests >&2 || echo "perf-figures: bench-jvm-peers did not build: no JVM peers" >&2
  PEERS_JAR="$(ls bench-jvm-peers/target/bench-jvm-peers-*.jar 2>/dev/null | head -1 || true)"
fi

bench() {   # part, file name, extra arguments
  local part="$1" name="$2"; shift 2
  echo "perf-figures: maskseg bench $part $* ($(date -u +%H:%M))" >&2
  MASKSEG_PROGRESS=plain bin/maskseg --backend jvm bench "$part" "${Q[@]}" --threads "$THREADS" "$@" \
    --json "$OUT/$name.json" > "$OUT/$name.txt" 2> "$OUT/$name.log" \
    || { echo "perf-figures: bench $part failed (exit $?), see $OUT/$name.log" >&2; return 1; }
  cat "$OUT/$name.txt"
}

peer_models() {   # the JVM peers' exported models (maskseg bench runs ONNX Runtime Java and DJL itself when built)
  [ -n "$PEERS_JAR" ] || { echo "perf-figures: bench-jvm-peers not built: no ONNX Runtime Java / DJL figures" >&2; return 0; }
  local models="${MASKSEG_PEER_MODELS:-$HOME/.cache/maskseg/peer-models}"
  if [ ! -f "$models/manifest.json" ] && [ -f tools/export_onnx.py ]; then
    echo "perf-figures: exporting the JVM peers' models into $models" >&2
    "${MASKSEG_PEER_PYTHON:-python3}" tools/export_onnx.py --out "$models" >> "$OUT/export-onnx.log" 2>&1 \
      || echo "perf-figures: model export failed, see $OUT/export-onnx.log" >&2
  fi
}

interleaved() {   # ours and ONNX Runtime Java in one JVM, alternating windows (bench-jvm-peers' InterleavedMain)
  [ -n "$PEERS_JAR" ] || { echo "perf-figures: bench-jvm-peers not built: no interleaved figures" >&2; return 0; }
  local w=(); [ $QUICK = 1 ] && w=(--windows 2 --window-ms 100)
  echo "[" > "$OUT/interleaved.json"
  local first=1 t
  for t in ${THREADS//,/ }; do
    echo "perf-figures: interleaved, $t thread(s) ($(date -u +%H:%M))" >&2
    local rec
    rec="$("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx4g \
      -cp "$PEERS_JAR:bench-jvm-peers/target/lib/*" dev.maskseg.bench.peers.InterleavedMain --threads "$t" \
      --cases "${MODEL_CASES:-resnet50-frozen}" "${w[@]}" 2>> "$OUT/interleaved.log")" \
      || { echo "perf-figures: interleaved failed, see $OUT/interleaved.log" >&2; return 1; }
    rec="${rec#[}"; rec="${rec%]}"
    [ -z "$rec" ] && continue
    [ $first = 1 ] || echo "," >> "$OUT/interleaved.json"
    echo "$rec" >> "$OUT/interleaved.json"; first=0
  done
  echo "]" >> "$OUT/interleaved.json"
  grep "interleaved:" "$OUT/interleaved.log" | tee "$OUT/interleaved.txt"
}

status=0
peer_models
MC=(); [ -n "$MODEL_CASES" ] && MC=(--cases "$MODEL_CASES")
if want kernels; then bench kernels kernels --rounds "$ROUNDS" || status=1; fi
if want models; then bench models models --rounds "$ROUNDS" "${MC[@]}" || status=1; fi
if want interleaved; then interleaved || status=1; fi
if want train; then
  if [ $QUICK = 1 ]; then
    bench train train --cases maskdistill-step || status=1
  else
    bench train train || status=1
    # memory: the smallest heap a DeepLab-v3 step completes in (child JVMs, bisection), at 1 thread only (it does not
    # depend on the thread count, and each try is a cold JVM running two steps)
    THREADS=1 bench train train-minheap --cases maskdistill-step --min-heap --no-peers || status=1
  fi
fi
python3 tools/perf_summary.py "$OUT" | tee "$OUT/summary.md"
echo "perf-figures: done ($(date -u +%H:%M)); figures in $OUT" >&2
exit $status
