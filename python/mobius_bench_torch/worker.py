"""The torch worker: one benchmark cell per process (`python -m mobius_bench_torch.worker`).

stdin: the run message, one JSON object (src/protocol/torch-run-message.ts): {"type": "run",
"id", "config": <the cell>, "torch": <settings, resolved>, "mode": {network, trainable,
checkpointed}, "layout": <the UNet layout>, "paramGroups": <rules>}. It is checked against
its JSON Schema (run_message_check.py, generated) and nothing in it is defaulted.

stdout: JSON lines only, flushed one by one --
  {"type": "progress", "phase": "build" | "warmup" | "measure", "step": k, "of": n}
  {"type": "measure-start", "t": <epoch ms>}      right before the first measured step
  {"type": "measure-end", "t": <epoch ms>, "steps": n}
  {"type": "done", "outcome": {...}}              see `run_cell`
  {"type": "error", "message": ..., "userError": bool}   bad input
  {"type": "error", "message": ..., "userError": false, "oom": {allocatedBytes, requestedBytes, capBytes, device}}
                                                  out of memory: the cell does not fit (out_of_memory.py)
then exit 0. Anything else (a crash) exits non-zero with the traceback on stderr.
While it builds and trains, sys.stdout and file descriptor 1 point at stderr,
so no stray print can break the protocol; the protocol has its own descriptor."""
from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from typing import cast

_MODULE_T = time.time()
import torch  # noqa: E402  (timed: startup.importMs)
import torch.backends.cudnn  # noqa: E402
import torch.distributed  # noqa: E402
import torch.version  # noqa: E402

_TORCH_T = time.time()

from .errors import UserError  # noqa: E402
from .distributed import (  # noqa: E402
    DDP_SETTINGS, SINGLE, Ranks, bucket_sizes, combine_outcomes, finish, gather, init_process_group, ranks_from_env)
from .out_of_memory import DoesNotFit, apply_memory_cap, is_out_of_memory  # noqa: E402
from .memory import StepMemory, optimizer_state_bytes, tensor_bytes  # noqa: E402
from .run_message import RunMessage, parse_run_message  # noqa: E402
from .runtime import enable_tf32, resolve_device  # noqa: E402
from .trainer import Trainer  # noqa: E402


class Protocol:
    """The original stdout, kept for the JSON lines; fd 1 and sys.stdout go to stderr."""

    def __init__(self):
        sys.stdout.flush()
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8")
        os.dup2(2, 1)
        sys.stdout = sys.stderr

    def send(self, message: dict) -> None:
        self._out.write(json.dumps(_finite(message)) + "\n")
        self._out.flush()


def _finite(value):
    """JSON has no NaN or Infinity: a diverged loss is sent as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _process_start() -> float:
    """Epoch seconds at which this process started (/proc, to 10 ms), else this module's import."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return time.time() - (uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return _MODULE_T


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def run_cell(message: RunMessage, send, ranks: Ranks = SINGLE) -> dict:
    """This rank's outcome; DoesNotFit when it runs out of memory, in whatever words."""
    device = resolve_device(message.torch.device)
    if ranks.world > 1:
        device = init_process_group(ranks, device)
    cap = apply_memory_cap(device, message.memory_cap_bytes)
    try:
        return _measure(message, device, send, ranks)
    except BaseException as err:
        if not is_out_of_memory(err):
            raise
        # Read while the failed step's tensors are still held by the traceback.
        raise DoesNotFit(str(err).strip().split("\n")[0], cap.report(err)) from None


def _measure(message: RunMessage, device: torch.device, send, ranks: Ranks) -> dict:
    config = message.config
    settings = message.torch
    warmup, steps = config["warmup"], config["steps"]

    build_t = time.perf_counter()
    tf32 = enable_tf32(device, settings.precision)
    trainer = Trainer.for_message(message, device, ranks=ranks)
    _sync(device)
    build_ms = (time.perf_counter() - build_t) * 1000
    send({"type": "progress", "phase": "build", "step": 1, "of": 1})

    for i in range(warmup):
        trainer.step(trainer.prepare(trainer.step_index))
        send({"type": "progress", "phase": "warmup", "step": i + 1, "of": warmup})

    memory = StepMemory(device)
    step_ms: list[float] = []
    losses: list[float] = []
    send({"type": "measure-start", "t": time.time() * 1000})
    for i in range(steps):
        batches = trainer.prepare(trainer.step_index)  # not timed: a data loader's work
        memory.begin()  # synchronises, resets the peak
        t0 = time.perf_counter()
        losses.append(trainer.step(batches))
        _sync(device)
        step_ms.append((time.perf_counter() - t0) * 1000)
        memory.end()
        send({"type": "progress", "phase": "measure", "step": i + 1, "of": steps})
    send({"type": "measure-end", "t": time.time() * 1000, "steps": steps})

    params = list(trainer.net.parameters())
    return {
        "backend": {
            "requested": config["backend"],
            "name": "torch",
            "package": "torch",
            "version": torch.__version__,
            "gpu": device.type == "cuda",
            "patches": [],
            "device": device.type,
            "deviceName": _device_name(device),
            "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
            "attention": trainer.attention,
            "tf32": tf32,
            "precision": settings.precision,
            "frozenWeights": settings.frozen_weights,
            "python": platform.python_version(),
            "interpreter": sys.executable,
        },
        "params": trainer.params(),
        "stepMs": step_ms,
        "loss": losses,
        "stepPeakBytes": memory.step_peaks,
        "memory": memory.summary(
            weights=tensor_bytes(params),
            gradients=sum(p.numel() * 4 for p in trainer.trainable),  # one fp32 gradient per trained weight
            optimizer=optimizer_state_bytes(trainer.optimizer, device),
        ),
        "startup": {"importMs": (_TORCH_T - _process_start()) * 1000, "buildMs": build_ms},
        **({} if trainer.ddp is None else {"ddp": {
            "rank": ranks.rank, "pid": os.getpid(), "processGroup": torch.distributed.get_backend(),
            # torchrun's number for this machine (GROUP_RANK, in the order the machines joined) and its name.
            "node": int(os.environ.get("GROUP_RANK", "0")), "host": platform.node(),
            "bucketSizes": bucket_sizes(trainer.ddp),
            "settings": {"bucketCapMb": DDP_SETTINGS["bucket_cap_mb"], "findUnusedParameters": DDP_SETTINGS["find_unused_parameters"],
                         "broadcastBuffers": DDP_SETTINGS["broadcast_buffers"], "gradientAsBucketView": DDP_SETTINGS["gradient_as_bucket_view"]},
        }}),
    }


def handle(stdin_text: str, send) -> int:
    """One cell from the run message's text: every message through `send`; the exit code."""
    try:
        try:
            message = json.loads(stdin_text)
        except json.JSONDecodeError as err:
            raise UserError(f"the worker's stdin is not valid JSON: {err}") from None
        outcome = run_cell(parse_run_message(message), send)
    except UserError as err:
        send({"type": "error", "message": str(err), "userError": True})
        return 0
    except DoesNotFit as err:
        send({"type": "error", "message": f"out of memory: {err}", "userError": False, "oom": err.report})
        return 0
    send({"type": "done", "outcome": outcome})
    return 0


def reports(ranks: Ranks, env: dict[str, str] | None = None) -> bool:
    """Whether this rank sends the progress and the outcome: the first rank on the harness's
    node 0 (MOBIUS_NODE_RANK, which the harness sets; torchrun's c10d rendezvous numbers the
    machines in the order they join, so global rank 0 may be on another one)."""
    env = dict(os.environ) if env is None else env
    return ranks.local_rank == 0 and int(env.get("MOBIUS_NODE_RANK", "0")) == 0


def handle_rank(text: str, send, ranks: Ranks) -> int:
    """One rank of a data-parallel cell under torchrun. The reporting rank (`reports`) sends
    the progress and the outcome (every rank's figures, gathered); any rank that fails sends
    its error, naming itself, and exits 1, so that torchrun ends the other ranks at once."""
    first = send if reports(ranks) else (lambda _message: None)
    try:
        try:
            message = json.loads(text)
        except json.JSONDecodeError as err:
            raise UserError(f"the run message is not valid JSON: {err}") from None
        outcome = run_cell(parse_run_message(message), first, ranks)
        outcomes = gather(outcome, ranks)
        first({"type": "done", "outcome": combine_outcomes(cast("list[dict]", outcomes))})
        finish()
        return 0
    except UserError as err:
        send({"type": "error", "message": f"rank {ranks.rank}: {err}", "userError": True, "rank": ranks.rank})
    except DoesNotFit as err:
        send({"type": "error", "message": f"rank {ranks.rank}: out of memory: {err}", "userError": False, "oom": err.report, "rank": ranks.rank})
    except Exception as err:  # noqa: BLE001 -- a crash of one rank is reported with its rank, then exits 1
        send({"type": "error", "message": f"rank {ranks.rank}: {type(err).__name__}: {err}", "userError": False, "rank": ranks.rank})
        import traceback
        traceback.print_exc()
    return 1


def _message_file(argv: list[str]) -> str | None:
    """`--message PATH`: the run message in a file (torchrun's ranks share no stdin)."""
    return argv[argv.index("--message") + 1] if "--message" in argv and argv.index("--message") + 1 < len(argv) else None


def main() -> int:
    protocol = Protocol()
    path = _message_file(sys.argv[1:])
    text = sys.stdin.read() if path is None else open(path, encoding="utf-8").read()
    ranks = ranks_from_env()
    if ranks is not None and ranks.world > 1:
        return handle_rank(text, protocol.send, ranks)
    return handle(text, protocol.send)


if __name__ == "__main__":
    sys.exit(main())
