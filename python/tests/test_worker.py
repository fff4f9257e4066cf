"""Test 6: the worker end to end, as the harness runs it: one process per
cell (worker_cells.py), the cell as JSON on stdin, JSON lines on stdout."""
from __future__ import annotations

import math

import pytest

import worker_cells
from worker_cells import MODES


@pytest.fixture(scope="module")
def worker_runs() -> dict[str, tuple[int, list[dict], str]]:
    return worker_cells.results()


@pytest.mark.parametrize("name", MODES + ["bf16"])
def test_a_cell_runs(worker_runs, name):
    rc, lines, stderr = worker_runs[name]
    assert rc == 0, stderr
    kinds = [m["type"] for m in lines]
    assert kinds.count("measure-start") == 1 and kinds.count("measure-end") == 1
    assert kinds[-1] == "done", stderr
    assert kinds.index("measure-start") < kinds.index("measure-end")
    outcome = lines[-1]["outcome"]
    assert len(outcome["stepMs"]) == 2 and len(outcome["stepPeakBytes"]) == 2
    assert len(outcome["loss"]) == 2 and all(math.isfinite(v) for v in outcome["loss"])
    memory = outcome["memory"]
    assert memory["source"] == "rss" and memory["peakBytes"] >= memory["startBytes"] > 0
    assert memory["peakAboveStartBytes"] == memory["peakBytes"] - memory["startBytes"]
    params = outcome["params"]
    assert params["total"] == params["spatial"] + params["temporal"] + params["extra"]
    assert params["trainable"] + params["frozen"] == params["total"]
    if name == "full":
        assert params["trainable"] == params["total"]
    elif "parallel" in name or name == "bf16":
        assert params["extra"] > 0 and params["trainable"] == params["temporal"] + params["extra"]
    else:
        assert params["extra"] == 0 and params["trainable"] == params["temporal"]
    assert memory["gradientBytes"] == 4 * params["trainable"]
    assert memory["optimizerBytes"] == 2 * memory["gradientBytes"]
    backend = outcome["backend"]
    assert backend["name"] == "torch" and backend["device"] == "cpu" and backend["gpu"] is False
    assert backend["precision"] == ("bf16" if name == "bf16" else "fp32")


def test_frozen_weights_are_stored_as_asked(worker_runs):
    fp32 = worker_runs["delta-parallel"][1][-1]["outcome"]
    bf16 = worker_runs["bf16"][1][-1]["outcome"]
    frozen = fp32["params"]["frozen"]
    assert fp32["memory"]["weightsBytes"] - bf16["memory"]["weightsBytes"] == 2 * frozen


def test_a_bad_mode_is_a_user_error(worker_runs):
    rc, lines, _ = worker_runs["bad-mode"]
    assert rc == 0
    assert lines[-1]["type"] == "error" and lines[-1]["userError"] is True
    assert "sideways" in lines[-1]["message"]


def test_invalid_json_is_an_error(worker_runs):
    rc, lines, _ = worker_runs["invalid-json"]
    assert rc == 0
    assert lines == [{"type": "error", "message": lines[0]["message"], "userError": True}]


def test_a_cell_past_its_memory_cap_does_not_fit(worker_runs):
    rc, lines, stderr = worker_runs["capped"]
    assert rc == 0, stderr
    error = lines[-1]
    assert error["type"] == "error" and error["userError"] is False, error
    assert error["message"].startswith("out of memory: ")
    oom = error["oom"]
    assert oom["capBytes"] == 12 * 2 ** 20 and oom["device"] == "cpu"
    # What counts against the cap when the allocation failed: the most mapped since it was
    # set (not what is left once the failed step has unwound), at most the cap.
    assert 0 <= oom["allocatedBytes"] <= oom["capBytes"]
    # The allocation that failed is one that would have crossed the cap (the allocator maps
    # it with a header, rounded up to a page).
    assert oom["allocatedBytes"] + oom["requestedBytes"] + 4096 > oom["capBytes"], oom
    assert "done" not in [m["type"] for m in lines]
