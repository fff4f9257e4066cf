"""Test 1: the serial net is diffusers' UNet3DConditionModel. The reference
fixture (made by diffusers' own code in float64) loads by name with
strict=True and our float64 forward and gradients reproduce it."""
from __future__ import annotations

import numpy as np
import torch

from conftest import TINY_DIFFUSERS, reference_file
from mobius_bench_torch.weights import build_network

# The fixture stores gradients rounded to float32: rounding moves a value by at
# most 2^-24 of itself, so 2^-24 of the largest gradient bounds the honest
# comparison of our float64 gradient with it (1e-8 would be below what the
# file can tell). Measured here (torch 1.13, CPU): 5.6e-8 raw, and exactly 0
# once ours is rounded to float32 the same way.
FLOAT32_ROUNDING = 2.0**-24


def rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def test_serial_net_reproduces_diffusers():
    z = np.load(reference_file("diffusers-unet3d-tiny.npz"))
    t = {k: torch.from_numpy(z[k]) for k in z.files}
    net = build_network(TINY_DIFFUSERS, "serial", seed=0).double()
    net.load_state_dict({k[len("param."):]: v.double() for k, v in t.items() if k.startswith("param.")}, strict=True)
    net.eval()

    out = net(t["input.sample"], t["input.timesteps"], t["input.text"])
    assert rel(out, t["output.sample"]) <= 1e-10

    loss = ((out - t["loss.target"]) ** 2).mean()
    assert abs(loss.item() - t["loss.value"].item()) <= 1e-12 * t["loss.value"].item()

    loss.backward()
    grads = {n: p.grad for n, p in net.named_parameters() if TINY_DIFFUSERS.groups.group_of(n) == "temporal"}
    assert set(grads) == {k[len("grad."):] for k in t if k.startswith("grad.")}
    worst = max(rel(g, t[f"grad.{n}"].double()) for n, g in grads.items())
    worst_rounded = max(rel(g.float().double(), t[f"grad.{n}"].double()) for n, g in grads.items())
    assert worst <= FLOAT32_ROUNDING * (1 + 1e-6), worst
    assert worst_rounded <= 2 * FLOAT32_ROUNDING, worst_rounded  # at most a rounding-boundary flip
