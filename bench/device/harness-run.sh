#!/usr/bin/env bash
# On a device machine (PyTorch, nvidia-smi, no Node.js): mobius-bench itself,
# end to end, from the single-folder build that bench/device/prepare.ts
# --bundle packed with a Node binary — the runner, the torch worker, the real
# nvidia-smi sampler (per-process figures matched to the worker's pid) and
# the reports together. The run folder lands in $OUT/run (results.jsonl,
# run.json, report.html, summary.md): the fixture the report and gate tests
# want from a real GPU.
set -euo pipefail
OUT=${OUT:-scratch/device/out}
FROM=${FROM:-scratch/device}
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
xz -dc "$FROM/node.xz" > "$work/node" && chmod +x "$work/node"
tar -C "$work" -xJf "$FROM/mobius-bench.tar.xz"
mkdir -p "$OUT"
"$work/node" "$work/mobius-bench/mobius-bench.mjs" env > "$OUT/env.txt" 2>&1 || true
status=0
"$work/node" "$work/mobius-bench/mobius-bench.mjs" run "$work/suite.ts" --filter "$(cat "$work/filter.txt")" \
  --out "$OUT/run" --python "$PYTHON" --plan --device "${DEVICE:-h100-80gb}" 2>&1 | tee "$OUT/run.log" || status=$?
echo "run exit $status"
