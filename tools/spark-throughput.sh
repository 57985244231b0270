#!/usr/bin/env bash
# Throughput of 'maskseg mine-masks --threads 2' and 'maskseg spark mine-masks --master local[2]' on the same generated
# images, for mbplus and dino-attention (random-init ViT-S/16 weights: the speed does not depend on the values); the
# figures of docs/spark.md. Prints the machine's load before each run: measure on an otherwise idle machine.
# Usage: tools/spark-throughput.sh [IMAGES=200] [SIZE=432 (432x432 has the pixels of VOC's 500x375)] [WORK=/tmp/maskseg-spark-throughput]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-200}" SIZE="${2:-432}" WORK="${3:-/tmp/maskseg-spark-throughput}"
source "$HERE/bin/env.sh"
MASKSEG="$HERE/bin/maskseg"
rm -rf "$WORK" && mkdir -p "$WORK"
"$MASKSEG" make-dataset --out "$WORK/data" --images "$N" --size "$SIZE" >/dev/null
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$HERE/cli/target/maskseg-cli.jar:$HERE/cli/target/lib/*" \
  "$HERE/tools/RandomWeights.java" vit_small_patch16 "$WORK/vit.safetensors" 2>/dev/null
IMAGES="$WORK/data/JPEGImages"
rate() { grep -o '[0-9.]* images/s' | head -1 | cut -d' ' -f1; }
echo "| prior | mode | images/s (job) | wall s (incl. JVM/Spark start) | load before |"
echo "|---|---|---|---|---|"
for prior in mbplus dino-attention; do
  params=()
  [ "$prior" = dino-attention ] && params=(--param "weights=$WORK/vit.safetensors")
  for mode in single spark; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    start=$(date +%s.%N)
    if [ "$mode" = single ]; then
      line=$("$MASKSEG" mine-masks --prior "$prior" "${params[@]}" --threads 2 --images "$IMAGES" --out "$WORK/$mode-$prior" 2>/dev/null)
    else
      line=$("$MASKSEG" spark mine-masks --master 'local[2]' --prior "$prior" "${params[@]}" --images "$IMAGES" --out "$WORK/$mode-$prior" 2>/dev/null)
    fi
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    echo "| $prior | $([ $mode = single ] && echo 'mine-masks --threads 2' || echo 'spark --master local[2]') | $(echo "$line" | rate) | $(printf %.1f "$wall") | $load |"
  done
  cmp -s "$WORK/single-$prior/masks.json" "$WORK/spark-$prior/masks.json" || { echo "masks.json of $prior differ" >&2; exit 1; }
done
echo "($N images of ${SIZE}x${SIZE}, $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
