#!/usr/bin/env bash
# On a device machine (PyTorch, nvidia-smi, no Node.js): mobius-bench itself,
# end to end, from the single-folder build that bench/device/prepare.ts
# --bundle packed with a Node binary — the runner, the torch worker, the real
# nvidia-smi sampler (per-process figures matched to the worker's pid) and
# the reports together. The run folder lands in $OUT/$NAME (results.jsonl,
# run.json, report.html, summary.md): the fixture the report and gate tests
# want from a real GPU. The run is interrupted (SIGINT: the finished cells and
# their reports stay) at DEADLINE (epoch seconds) or after MAX_SECONDS.
set -uo pipefail
OUT=${OUT:-scratch/device/out}
FROM=${FROM:-scratch/device}
PYTHON=${PYTHON:-python3}
FILTER=${FILTER:-size=256}
NAME=${NAME:-run}
DEADLINE=${DEADLINE:-0}
MAX_SECONDS=${MAX_SECONDS:-86400}
work=${WORK:-$(mktemp -d)}
if [ ! -x "$work/node" ]; then
  xz -dc "$FROM/node.xz" > "$work/node" && chmod +x "$work/node"
  tar -C "$work" -xJf "$FROM/mobius-bench.tar.xz"
fi
mkdir -p "$OUT"
[ -f "$OUT/env.txt" ] || "$work/node" "$work/mobius-bench/mobius-bench.mjs" env --python "$PYTHON" > "$OUT/env.txt" 2>&1
limit=$MAX_SECONDS
if [ "$DEADLINE" -gt 0 ] && [ $(( DEADLINE - $(date +%s) )) -lt "$limit" ]; then limit=$(( DEADLINE - $(date +%s) )); fi
timeout -s INT -k 30 "$limit" "$work/node" "$work/mobius-bench/mobius-bench.mjs" run "$work/suite.ts" --filter "$FILTER" \
  --out "$OUT/$NAME" --python "$PYTHON" --plan --device "${DEVICE:-140gib}" 2>&1 | tee "$OUT/$NAME.log"
echo "run exit ${PIPESTATUS[0]}"
