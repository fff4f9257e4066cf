"""Test 7: parity_fixture writes the reference fixture's keys, and the file
loads back into a network that reproduces its output."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import cases
from conftest import TINY_DIFFUSERS, reference_file
from mobius_bench_checks import parity_fixture
from mobius_bench_torch.weights import build_network


def write(tmp_path, network: str) -> dict[str, np.ndarray]:
    out = tmp_path / f"{network}.npz"
    message = cases.run_message("tiny", "delta-serial" if network == "serial" else "delta-parallel",
                                unet=cases.unet_json("tiny", transformerInHeads=8), frames=2, size=32, batch=2, accum=1,
                                textLength=3, seed=9, warmup=0, steps=1)
    rc = parity_fixture.main(["--message", json.dumps(message), "--out", str(out)])
    assert rc == 0
    with np.load(out) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("network", ["serial", "parallel"])
def test_fixture_reloads_and_reproduces(tmp_path, network):
    z = write(tmp_path, network)
    assert z["input.sample"].dtype == np.float64 and z["input.sample"].shape == (2, 4, 2, 4, 4)
    assert z["input.timesteps"].dtype == np.int64 and z["input.timesteps"].shape == (2,)
    assert z["input.text"].dtype == np.float64 and z["input.text"].shape == (2, 3, 32)
    assert z["output.sample"].dtype == np.float64 and z["output.sample"].shape == (2, 4, 2, 4, 4)
    assert all(v.dtype == np.float32 for k, v in z.items() if k.startswith(("param.", "grad.")))

    net = build_network(TINY_DIFFUSERS, network, seed=0).double().eval()  # another seed: every weight comes from the file
    net.load_state_dict({k[len("param."):]: torch.from_numpy(v).double() for k, v in z.items() if k.startswith("param.")},
                        strict=True)
    with torch.no_grad():
        out = net(*(torch.from_numpy(z[k]) for k in ("input.sample", "input.timesteps", "input.text")))
    ref = torch.from_numpy(z["output.sample"])
    assert ((out - ref).abs().max() / ref.abs().max()).item() <= 1e-12
    loss = ((out - torch.from_numpy(z["loss.target"])) ** 2).mean()
    assert abs(loss.item() - z["loss.value"][0]) <= 1e-12 * z["loss.value"][0]
    # The noise moved the zero-initialised layers: the time state shows in the output.
    assert (out - net.forward_2d(*(torch.from_numpy(z[k]) for k in ("input.sample", "input.timesteps", "input.text")))).abs().max() > 1e-3


def test_serial_fixture_has_the_reference_keys(tmp_path):
    reference = np.load(reference_file("diffusers-unet3d-tiny.npz"))
    z = write(tmp_path, "serial")
    assert set(z) == set(reference.files)
    for k in reference.files:
        if k.startswith(("param.", "grad.")):
            assert z[k].shape == reference[k].shape, k


def test_one_process_writes_a_fixture_per_message_and_checks_them_all_first(tmp_path, capsys):
    def message(mode: str, seed: int) -> str:
        return json.dumps(cases.run_message("tiny", mode, frames=2, size=32, batch=1, accum=1, textLength=3, seed=seed,
                                            warmup=0, steps=1))
    outs = [tmp_path / "a.npz", tmp_path / "b.npz"]
    rc = parity_fixture.main(["--message", message("delta-serial", 1), "--out", str(outs[0]),
                              "--message", message("delta-parallel", 2), "--out", str(outs[1])])
    assert rc == 0
    with np.load(outs[0]) as a, np.load(outs[1]) as b:
        assert "param.conv_fusion.weight" in b.files and "param.conv_fusion.weight" not in a.files  # each its own network
        assert not np.array_equal(a["input.sample"], b["input.sample"])  # each its own seed

    # A bad second message, or a missing --out: nothing is written, and the message says which.
    late = tmp_path / "late.npz"
    assert parity_fixture.main(["--message", message("full", 1), "--out", str(late), "--message", "{", "--out", str(tmp_path / "x.npz")]) == 2
    assert "--message 2 is not valid JSON" in capsys.readouterr().err
    assert parity_fixture.main(["--message", message("full", 1), "--out", str(late), "--message", message("full", 2)]) == 2
    assert "2 --message but 1 --out" in capsys.readouterr().err
    assert not late.exists()
