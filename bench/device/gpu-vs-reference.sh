#!/usr/bin/env bash
# On a device machine (PyTorch, nvidia-smi, no Node.js): each cell of
# $CELLS (bench/device/prepare.ts) through the torch worker, then the same
# cell through the reference script, worker and reference alternating so that
# the machine's drift falls on both. Per cell in $OUT: the worker's JSON lines
# and the reference's JSON, each one's stderr. A process that fails or passes
# CELL_TIMEOUT seconds is recorded and the next one runs. With DEADLINE (epoch
# seconds), a cell is started only if CELL_NEEDS seconds are left before it;
# with ARCHIVE, $OUT is packed into that tar file after every process, so a
# call cut short still brings back everything measured.
set -u
OUT=${OUT:-scratch/device/out}
CELLS=${CELLS:-scratch/device/cells.jsonl}
REFERENCE=${REFERENCE:-scratch/device/reference}
PYTHON=${PYTHON:-python3}
CELL_TIMEOUT=${CELL_TIMEOUT:-240}
CELL_NEEDS=${CELL_NEEDS:-0}
DEADLINE=${DEADLINE:-0}
ARCHIVE=${ARCHIVE:-}
mkdir -p "$OUT"
field() { "$PYTHON" -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print(v if isinstance(v, str) else json.dumps(v) if v else "")' "$1" "$2"; }
archive() { [ -z "$ARCHIVE" ] || { tar -C "$(dirname "$OUT")" -cf "$ARCHIVE.part" "$(basename "$OUT")" && mv "$ARCHIVE.part" "$ARCHIVE"; }; }  # whole, even if killed
while IFS= read -r line; do
  [ -n "$line" ] || continue
  name=$(field "$line" name)
  if [ "$DEADLINE" -gt 0 ] && [ $(( $(date +%s) + CELL_NEEDS )) -gt "$DEADLINE" ]; then
    echo "== $name: not started, fewer than $CELL_NEEDS s left" | tee -a "$OUT/skipped.txt"
    continue
  fi
  echo "== $name $(date -u +%T)"
  field "$line" worker | PYTHONPATH=python PYTHONUNBUFFERED=1 timeout "$CELL_TIMEOUT" "$PYTHON" -m mobius_bench_torch.worker \
    > "$OUT/$name.worker.jsonl" 2> "$OUT/$name.worker.stderr"
  echo "worker exit $? $(date -u +%T)"
  archive
  reference=$(field "$line" reference)
  if [ -n "$reference" ] && [ -f "$REFERENCE/mobius_torch.py" ]; then
    PYTHONPATH="$REFERENCE" timeout "$CELL_TIMEOUT" "$PYTHON" "$REFERENCE/mobius_torch.py" cell "$reference" \
      > "$OUT/$name.reference.json" 2> "$OUT/$name.reference.stderr"
    echo "reference exit $? $(date -u +%T)"
    archive
  fi
done < "$CELLS"
