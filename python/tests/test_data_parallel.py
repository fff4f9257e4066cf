"""Data parallelism is exact: after one step, 2 ranks of batch b (torchrun, gloo,
DistributedDataParallel) leave the same trained weights as one process of batch
2b over the same samples -- float64 on the CPU, dropout off -- for delta-serial,
delta-parallel and full, with accumulation 1 and 2. And torchrun starts here
(mobius_bench_torch.launch repairs torch 1.13 under Python 3.11)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

import cases
from worker_cells import PYTHON_DIR
from mobius_bench_checks.data_parallel_step import trained_weights
from mobius_bench_torch.launch import _std_from_str
from mobius_bench_torch.run_message import parse_run_message
from mobius_bench_torch.trainer import Trainer
from torch.distributed.elastic.multiprocessing import Std

CELLS = [(mode, accum) for mode in ("delta-serial", "delta-parallel", "full") for accum in (1, 2)]
SHAPE = dict(frames=2, size=32, textLength=4, seed=5, warmup=0, steps=1)
TOLERANCE = 1e-9  # of each weight tensor's change; reached: at most 7.2e-12 (float64 sums in another order, through AdamW's normalisation)


def message(mode: str, accum: int, batch: int) -> dict:
    return cases.run_message("tiny", mode, torch={"device": "cpu"}, batch=batch, accum=accum, **SHAPE)


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> list[dict]:
    folder = tmp_path_factory.mktemp("ddp")
    (folder / "messages.json").write_text(json.dumps([message(m, a, batch=1) for m, a in CELLS]))
    # From python/: torchrun and its ranks find both packages there without PYTHONPATH (pytest's own `pythonpath` is not inherited).
    run = subprocess.run([sys.executable, "-m", "mobius_bench_torch.launch", "--standalone", "--nnodes", "1", "--nproc_per_node", "2",
                          "-m", "mobius_bench_checks.data_parallel_step", str(folder / "messages.json"), str(folder)],
                         cwd=PYTHON_DIR, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return [torch.load(folder / f"{i}.pt") for i in range(len(CELLS))]


@pytest.mark.parametrize("index", range(len(CELLS)), ids=[f"{m}-accum{a}" for m, a in CELLS])
def test_two_ranks_train_as_one_process_of_their_whole_batch(two_ranks, index):
    mode, accum = CELLS[index]
    one = Trainer.for_message(parse_run_message(message(mode, accum, batch=2)), torch.device("cpu"), dtype=torch.float64, dropout=False)
    before = trained_weights(one)
    one.step()
    after = trained_weights(one)
    ranked = two_ranks[index]["weights"]
    # DDP's buckets hold each trained weight's gradient once (float64 here: 8 bytes), as the planner counts them.
    assert sum(two_ranks[index]["buckets"]) == 8 * sum(w.numel() for w in after.values())
    assert ranked.keys() == after.keys() and len(after) > 0
    assert sum(bool((w != before[n]).any()) for n, w in after.items()) > len(after) / 2, "the step trained"
    for name, weight in after.items():
        change = (weight - before[name]).abs().max()
        # A weight whose gradient is 0 at init (behind a zero-initialised proj_out) moves by weight decay alone, or not at all.
        assert (ranked[name] - weight).abs().max() <= TOLERANCE * change, name


def test_torchrun_stream_settings_parse_as_torch_documents_them():
    assert _std_from_str("0") == Std.NONE and _std_from_str("3") == Std.ALL
    assert _std_from_str("0:1,1:2") == {0: Std.OUT, 1: Std.ERR}
    with pytest.raises(ValueError):
        _std_from_str("4")
