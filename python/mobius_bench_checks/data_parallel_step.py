"""One optimizer step of each given cell on every rank of a torchrun (gloo, the
CPU, float64, dropout off), rank 0 saving the trained weights after it: what
tests/test_data_parallel.py compares with one process training the ranks'
whole batch (`python -m mobius_bench_torch.launch --standalone --nproc_per_node 2
-m mobius_bench_checks.data_parallel_step MESSAGES.json OUT_DIR`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from mobius_bench_torch.distributed import bucket_sizes, finish, init_process_group, ranks_from_env
from mobius_bench_torch.run_message import parse_run_message
from mobius_bench_torch.trainer import Trainer


def trained_weights(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in trainer.net.named_parameters() if p.requires_grad}


def main(messages_file: str, out_dir: str) -> None:
    ranks = ranks_from_env()
    assert ranks is not None and ranks.world > 1, "run under torchrun with more than one rank"
    device = init_process_group(ranks, torch.device("cpu"))
    for i, message in enumerate(json.loads(Path(messages_file).read_text())):
        trainer = Trainer.for_message(parse_run_message(message), device, dtype=torch.float64, dropout=False, ranks=ranks)
        trainer.step()
        if ranks.rank == 0:
            assert trainer.ddp is not None
            torch.save({"weights": trained_weights(trainer), "buckets": bucket_sizes(trainer.ddp)}, Path(out_dir) / f"{i}.pt")
    finish()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
