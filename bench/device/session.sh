#!/usr/bin/env bash
# One device call for issue 23, everything in the order it is most wanted and
# within BUDGET seconds: the worker against the reference on the bf16 cells at
# 256 px, the harness end to end on suites/h100.ts at 256 px, the 512 px pairs,
# the fp16 and fp32 pairs, then the harness at 512 px. Everything lands in one
# tar file under $OUT (the device tool brings back at most 8 files), refreshed
# after every process, so a call cut short keeps what it measured.
#   device: bash bench/device/session.sh      (carry scratch/device)
#   here:   tar -xf device-out.tar; npx tsx bench/device/summarize.ts out
set -u
FROM=scratch/device
BUDGET=${BUDGET:-560}
RESULT=${OUT:-$FROM/result}
mkdir -p "$RESULT"
export DEADLINE=$(( $(date +%s) + BUDGET )) PYTHON=${PYTHON:-python3}
export ARCHIVE="$RESULT/device-out.tar"
work=$(mktemp -d)
export OUT="$work/out"
mkdir -p "$OUT"
gpu() { nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version,pstate,temperature.gpu,power.draw,power.limit,clocks.sm,clocks.max.sm --format=csv 2>&1; }
{
  date -u +%FT%TZ
  cat "$FROM/commit.txt" 2>/dev/null
  gpu
  nvidia-smi --query-compute-apps=pid,used_memory --format=csv 2>&1
  "$PYTHON" -c 'import torch, platform; print("python", platform.python_version(), "torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), torch.cuda.get_device_name())'
  nproc; free -g | head -2
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
sed -n 1,4p "$FROM/cells.jsonl" > "$work/cells-256.jsonl"
sed -n 5,8p "$FROM/cells.jsonl" > "$work/cells-512.jsonl"
sed -n '9,$p' "$FROM/cells.jsonl" > "$work/cells-precision.jsonl"
archive() { tar -C "$work" -cf "$ARCHIVE.part" out && mv "$ARCHIVE.part" "$ARCHIVE"; }  # whole, even if killed
harness() {  # $1 filter, $2 run folder name, $3 seconds it needs, $4 seconds it may take
  if [ $(( $(date +%s) + $3 )) -gt "$DEADLINE" ]; then echo "harness $1: not started, fewer than $3 s left" | tee -a "$OUT/skipped.txt"; return; fi
  echo "== harness $1 $(date -u +%T)"
  WORK=$work FILTER=$1 NAME=$2 MAX_SECONDS=$4 bash bench/device/harness-run.sh
  archive
}
CELLS=$work/cells-256.jsonl CELL_NEEDS=60 CELL_TIMEOUT=150 bash bench/device/gpu-vs-reference.sh
harness "${SMALL_FILTER:-size=256}" run-256 150 220
CELLS=$work/cells-512.jsonl CELL_NEEDS=90 CELL_TIMEOUT=180 bash bench/device/gpu-vs-reference.sh
CELLS=$work/cells-precision.jsonl CELL_NEEDS=60 CELL_TIMEOUT=150 bash bench/device/gpu-vs-reference.sh
harness "${LARGE_FILTER:-size=512}" run-512 200 100000
gpu >> "$OUT/machine.txt"
archive
echo "session done $(date -u +%T), $(( DEADLINE - $(date +%s) )) s of the budget left"
