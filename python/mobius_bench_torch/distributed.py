"""Data-parallel cells: one process per rank, started by torchrun
(`python -m torch.distributed.run`), each training on its own device with the
network wrapped in DistributedDataParallel -- PyTorch's own process group,
launcher and all-reduce.

DDP gets what diffusers' training scripts get through `accelerator.prepare`:
accelerate builds DistributedDataParallel(model, device_ids=[local_rank],
output_device=local_rank, **DistributedDataParallelKwargs().to_kwargs()), and
those kwargs are DDP's own defaults unless a script changes them (diffusers'
text-to-video scripts do not): 25 MB buckets, no search for unused parameters,
buffers broadcast, gradients not viewed into the buckets, no static graph.
Every micro-batch but the last of a step runs under no_sync(), as
`accelerator.accumulate` does, so a step all-reduces once.

The process group is NCCL on CUDA and gloo on the CPU (N ranks on one CPU:
correct and slow, for tests). Rank r of W draws samples (step * accum + micro)
* W + r of the deterministic stream: W ranks of batch b see the same clips as
one process of batch W * b."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ContextManager, cast

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

# DistributedDataParallel's defaults, which accelerate passes unchanged.
DDP_SETTINGS = {"bucket_cap_mb": 25, "find_unused_parameters": False, "broadcast_buffers": True,
                "gradient_as_bucket_view": False}


@dataclass(frozen=True)
class Ranks:
    rank: int
    world: int
    local_rank: int


SINGLE = Ranks(0, 1, 0)


def ranks_from_env(env: dict[str, str] | None = None) -> Ranks | None:
    """The ranks torchrun set (RANK, WORLD_SIZE, LOCAL_RANK), or None outside torchrun."""
    env = dict(os.environ) if env is None else env
    if "WORLD_SIZE" not in env or "RANK" not in env:
        return None
    return Ranks(int(env["RANK"]), int(env["WORLD_SIZE"]), int(env.get("LOCAL_RANK", env["RANK"])))


def init_process_group(ranks: Ranks, device: torch.device) -> torch.device:
    """Joins the process group torchrun set up; returns this rank's device (cuda:LOCAL_RANK on CUDA)."""
    if device.type == "cuda":
        if ranks.local_rank >= torch.cuda.device_count():
            from .errors import UserError
            raise UserError(f"rank {ranks.rank} needs GPU {ranks.local_rank}, and torch sees {torch.cuda.device_count()}: "
                            "ask for at most as many GPUs per cell as this machine has")
        device = torch.device("cuda", ranks.local_rank)
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def wrap(net: nn.Module, device: torch.device) -> DistributedDataParallel:
    """The trained parameters (requires_grad set already) in DDP's buckets."""
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(net, device_ids=ids, output_device=ids[0] if ids else None, **DDP_SETTINGS)


def without_all_reduce(ddp: DistributedDataParallel) -> ContextManager[None]:
    """DDP's no_sync: gradients accumulate locally until a backward outside it."""
    return cast("ContextManager[None]", getattr(ddp, "no_sync")())


def bucket_sizes(ddp: DistributedDataParallel) -> list[int] | None:
    """The bytes of each gradient bucket DDP built, from its logging data (None where this torch has none)."""
    logging_data = getattr(ddp, "_get_ddp_logging_data", None)
    if logging_data is None:
        return None
    text = logging_data().get("bucket_sizes")
    if not isinstance(text, str) or not text:
        return None
    return [int(s) for s in text.split(",") if s.strip()]


def gather(value: object, ranks: Ranks) -> list[object]:
    """Every rank's `value`, in rank order (on every rank)."""
    out: list[object] = [None] * ranks.world
    dist.all_gather_object(out, value)
    return out


def finish() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def combine_outcomes(outcomes: list[dict]) -> dict:
    """A data-parallel cell's outcome from every rank's (in rank order): each step's time and
    allocator peak are the slowest and the highest rank's, the memory is the rank's whose peak
    is highest, the loss is averaged over ranks (the objective DDP's averaged gradients
    descend), and `distributed` keeps every rank's own figures."""
    first = outcomes[0]

    def highest(values: list) -> object:
        return max(values) if all(v is not None for v in values) else None

    def peak_of(o: dict) -> float:
        return o["memory"].get("peakBytes", o["memory"]["rssPeakBytes"])

    steps = len(first["stepMs"])
    losses = [[o["loss"][i] for o in outcomes] for i in range(steps)]
    combined = {k: v for k, v in first.items() if k != "ddp"}
    combined.update({
        "stepMs": [max(o["stepMs"][i] for o in outcomes) for i in range(steps)],
        "stepPeakBytes": [max(o["stepPeakBytes"][i] for o in outcomes) for i in range(len(first["stepPeakBytes"]))],
        "loss": [None if any(v is None for v in ls) else sum(ls) / len(ls) for ls in losses],
        "memory": max(outcomes, key=peak_of)["memory"],
        "startup": {key: highest([o["startup"][key] for o in outcomes]) for key in first["startup"]},
        "distributed": {
            "worldSize": len(outcomes),
            "nodes": len({o["ddp"]["node"] for o in outcomes}),
            "processGroup": first["ddp"]["processGroup"],
            "ddp": first["ddp"]["settings"],
            "bucketSizes": first["ddp"]["bucketSizes"],
            "ranks": [{"rank": o["ddp"]["rank"], "node": o["ddp"]["node"], "host": o["ddp"]["host"], "pid": o["ddp"]["pid"], "deviceName": o["backend"]["deviceName"],
                       "stepMs": o["stepMs"], "stepPeakBytes": o["stepPeakBytes"], "memory": o["memory"]} for o in outcomes],
        },
    })
    return combined
