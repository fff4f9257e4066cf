"""saved_bytes.py: what autograd keeps for one micro-batch of the worker's
net, counted with saved_tensors_hooks (the TypeScript PyTorch planner is held
to these counts exactly in test/torch-plan.e2e.test.ts), and the worker's own
weights / gradients / optimizer-state split."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cases
from mobius_bench_checks.saved_bytes import count_cell, main
from worker_cells import PYTHON_DIR

SHAPE = dict(batch=1, accum=2, frames=2, size=32, textLength=7, seed=1, warmup=0, steps=1)


def cell(mode: str = "delta-serial", **torch) -> dict:
    """The run message of a tiny cell (torch: settings other than the defaults)."""
    return cases.run_message("tiny", mode, torch=torch, **SHAPE)


CELL = cell()


def run(arg: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mobius_bench_checks.saved_bytes", arg], cwd=PYTHON_DIR,
                          capture_output=True, text=True, timeout=120)


def test_the_command_counts_a_list_of_cells_in_one_process():
    both = run(json.dumps([CELL, cell("delta-serial-ckpt")]))
    assert both.returncode == 0, both.stderr
    listed = json.loads(both.stdout)
    counted = count_cell(CELL)
    assert listed[0] == counted, "the same count in another process"
    assert counted["savedBytes"] > 0 and counted["savedStorages"] > 0
    assert listed[1]["savedBytes"] < counted["savedBytes"], "checkpointing keeps less"


def test_one_cell_prints_one_object_and_a_bad_one_is_a_user_error(capsys):
    assert main([json.dumps(CELL)]) == 0
    assert json.loads(capsys.readouterr().out) == count_cell(CELL)
    assert main([json.dumps({**CELL, "config": {**CELL["config"], "mode": "sideways"}})]) == 2
    assert "sideways" in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["full", "delta-serial", "delta-parallel", "delta-serial-ckpt", "delta-parallel-ckpt"])
def test_the_static_split_is_the_workers(mode):
    out = count_cell(cell(mode))
    assert out["optimizerBytes"] == 2 * out["gradientBytes"]  # AdamW's exp_avg and exp_avg_sq, float32
    assert out["gradientBytes"] % 4 == 0 and out["weightsBytes"] >= out["gradientBytes"]
    if mode == "full":
        assert out["weightsBytes"] == out["gradientBytes"]  # every weight trains, float32


def test_parameters_are_weights_not_saved_activations():
    fp32 = count_cell(CELL)
    bf16 = count_cell(cell(precision="bf16"))
    # In float32 the linears and convs keep the parameters themselves; under
    # autocast they keep bfloat16 copies, which are activations of the step.
    assert fp32["parameterSavedBytes"] > bf16["parameterSavedBytes"] > 0  # norms keep their float32 weights
    assert count_cell(CELL)["savedBytes"] == fp32["savedBytes"], "the count is deterministic"


def test_detail_names_the_nodes_that_saved_each_storage():
    out = count_cell(CELL, detail=True)
    assert sum(d["bytes"] for d in out["detail"]) == out["savedBytes"]
    nodes = {n for d in out["detail"] for n in d["nodes"]}
    assert "NativeGroupNormBackward0.input" in nodes and "SoftmaxBackward0.result" in nodes
