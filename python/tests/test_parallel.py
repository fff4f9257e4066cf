"""Test 5: both networks start as the 2D UNet applied frame by frame. The
serial net's temporal layers start as identities (TC's conv4 and TA's proj_out
are zero); the parallel net's fusion starts as "take h" ([I | 0]), and its h
stream is exactly the 2D UNet (Eq. 8), whatever the time state holds."""
from __future__ import annotations

import torch

from conftest import TINY
from mobius_bench_torch.weights import build_network


def inputs():
    g = torch.Generator().manual_seed(5)
    return (torch.randn(2, 4, 3, 8, 8, generator=g, dtype=torch.float64), torch.tensor([7, 901]),
            torch.randn(2, 5, 32, generator=g, dtype=torch.float64))


def test_both_networks_start_as_the_2d_unet():
    x = inputs()
    serial = build_network(TINY, "serial", seed=11).double().eval()
    parallel = build_network(TINY, "parallel", seed=11).double().eval()
    with torch.no_grad():
        reference = serial.forward_2d(*x)
        assert torch.equal(parallel.forward_2d(*x), reference)  # same spatial weights by name
        assert (serial(*x) - reference).abs().max().item() <= 1e-12 * reference.abs().max().item()
        assert (parallel(*x) - reference).abs().max().item() <= 1e-12 * reference.abs().max().item()


def test_the_time_state_reaches_the_output_through_the_fusion():
    x = inputs()
    parallel = build_network(TINY, "parallel", seed=11).double().eval()
    with torch.no_grad():
        reference = parallel.forward_2d(*x)
        parallel.conv_fusion.weight[:, 32:].normal_(0, 0.1)
        assert (parallel(*x) - reference).abs().max().item() > 1e-3
