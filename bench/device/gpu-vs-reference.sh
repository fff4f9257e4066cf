#!/usr/bin/env bash
# On a device machine (PyTorch, nvidia-smi, no Node.js): each cell of
# scratch/device/cells.jsonl (bench/device/prepare.ts) through the torch
# worker, then the same cell through the reference script, worker and
# reference alternating so that the machine's drift falls on both. Everything
# lands in $OUT (default scratch/device/out): per cell the worker's JSON lines
# and the reference's JSON, each one's stderr, and the machine's description.
# A cell that fails or passes CELL_TIMEOUT seconds is recorded and the next
# one runs.
set -u
OUT=${OUT:-scratch/device/out}
CELLS=${CELLS:-scratch/device/cells.jsonl}
REFERENCE=${REFERENCE:-scratch/device/reference}
PYTHON=${PYTHON:-python3}
CELL_TIMEOUT=${CELL_TIMEOUT:-240}
mkdir -p "$OUT"
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 || echo 'no nvidia-smi'
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
} > "$OUT/machine.txt"
while IFS= read -r line; do
  name=$("$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["name"])' "$line")
  echo "== $name"
  "$PYTHON" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["worker"]))' "$line" \
    | PYTHONPATH=python PYTHONUNBUFFERED=1 timeout "$CELL_TIMEOUT" "$PYTHON" -m mobius_bench_torch.worker \
      > "$OUT/$name.worker.jsonl" 2> "$OUT/$name.worker.stderr"
  echo "worker exit $?"
  reference=$("$PYTHON" -c 'import json,sys; r=json.loads(sys.argv[1])["reference"]; print(json.dumps(r) if r else "")' "$line")
  if [ -n "$reference" ] && [ -f "$REFERENCE/mobius_torch.py" ]; then
    PYTHONPATH="$REFERENCE" timeout "$CELL_TIMEOUT" "$PYTHON" "$REFERENCE/mobius_torch.py" cell "$reference" \
      > "$OUT/$name.reference.json" 2> "$OUT/$name.reference.stderr"
    echo "reference exit $?"
  fi
done < "$CELLS"
