"""The worker times the training step and nothing else: every sample a
measured step trains on was drawn before its clock started (issue 19)."""
from __future__ import annotations

import time

import mobius_bench_torch.trainer as trainer_module
import mobius_bench_torch.worker as worker
import cases
from mobius_bench_torch.run_message import parse_run_message
from worker_cells import CELL


def test_no_sample_is_drawn_inside_a_timed_step(monkeypatch):
    events: list[str] = []
    real_make_batch = trainer_module.make_batch
    real_clock = time.perf_counter

    def make_batch(*args, **kwargs):
        events.append("sample")
        return real_make_batch(*args, **kwargs)

    def clock():
        events.append("clock")
        return real_clock()

    monkeypatch.setattr(trainer_module, "make_batch", make_batch)
    monkeypatch.setattr(worker.time, "perf_counter", clock)
    message = cases.run_message("tiny", "delta-parallel", torch={"device": "cpu"}, **{**CELL, "accum": 2, "steps": 3})
    outcome = worker.run_cell(parse_run_message(message), lambda sent: None)

    assert len(outcome["stepMs"]) == 3
    # run_cell reads the clock twice for the build, then twice per measured step.
    clocks = [i for i, e in enumerate(events) if e == "clock"]
    assert len(clocks) == 2 + 2 * 3
    for start, stop in zip(clocks[2::2], clocks[3::2]):
        assert "sample" not in events[start:stop], events
    # and the samples were drawn all the same: accum per step, warm-up included
    assert events.count("sample") == 2 * (1 + 3)
