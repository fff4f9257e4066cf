"""The worker runs test_worker.py checks. Two are processes of their own, as the
harness runs them (the run message as JSON on stdin, JSON lines on stdout): a
good cell and unreadable input. conftest.py starts them as soon as pytest has
collected a test that needs them, so they run beside the in-process tests; most
of each one's time is torch's import. The other cells go through the same
handler (worker.handle) in this process, which has imported torch already."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cases

PYTHON_DIR = Path(__file__).resolve().parents[1]
MODES = cases.MODES
CELL = dict(batch=1, accum=1, frames=2, size=32, textLength=7, seed=1, warmup=1, steps=2)
CPU = {"device": "cpu"}


def _message(mode: str, torch: dict | None = None, memory_cap_bytes: int | None = None) -> str:
    return json.dumps(cases.run_message("tiny", mode, torch={**CPU, **(torch or {})}, memory_cap_bytes=memory_cap_bytes, **CELL))


STDIN = {
    **{mode: _message(mode) for mode in MODES},
    "bf16": _message("delta-parallel", {"precision": "bf16", "frozenWeights": "bf16"}),
    "bad-mode": json.dumps({**json.loads(_message("delta-parallel")), "config": {**json.loads(_message("delta-parallel"))["config"], "mode": "sideways"}}),
    "invalid-json": '{"type": "run", "config": ',
    # --memory-cap 12 MiB at 256 px: the weights and the batch fit, the first activations
    # (2 MiB each) do not. The allocation that fails is a large one, so torch's error path
    # (which allocates too) has room and raises; at a cap that fails on a small allocation,
    # torch 1.13 can crash in its C++ backtrace instead.
    "capped": json.dumps(cases.run_message("tiny", "full", torch=CPU, memory_cap_bytes=12 * 2 ** 20, **{**CELL, "size": 256})),
}

# What needs a process of its own: the protocol on real file descriptors, a clean exit.
# and the memory cap, which limits the whole process.
IN_PROCESS_EXCEPT = ("delta-parallel", "invalid-json", "capped")

_procs: dict[str, subprocess.Popen] = {}


def start() -> None:
    for name, stdin in STDIN.items():
        if name in _procs or name not in IN_PROCESS_EXCEPT:
            continue
        with tempfile.TemporaryFile("w+") as fh:
            fh.write(stdin)
            fh.seek(0)
            _procs[name] = subprocess.Popen([sys.executable, "-m", "mobius_bench_torch.worker"], cwd=PYTHON_DIR,
                                            text=True, stdin=fh, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def results() -> dict[str, tuple[int, list[dict], str]]:
    """name -> (exit code, the messages sent, stderr)."""
    from mobius_bench_torch import worker

    start()
    out = {}
    for name, stdin in STDIN.items():
        if name in _procs:
            continue
        sent: list[dict] = []
        # As Protocol.send writes them: through JSON, so what a process would print is what is checked.
        code = worker.handle(stdin, lambda message: sent.append(json.loads(json.dumps(worker._finite(message)))))
        out[name] = (code, sent, "")
    for name, proc in _procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        out[name] = (proc.returncode, [json.loads(line) for line in stdout.splitlines()], stderr)
    return out
