"""Tests 2-3: parameter names and shapes are diffusers' (sd21 and tiny), and
the group counts equal the TypeScript planner's -- all on the meta device, so
sd21's 1.4 B weights take no memory."""
from __future__ import annotations

import json

from conftest import SD21, TINY_DIFFUSERS, reference_file
from mobius_bench_torch.weights import declare


def test_names_and_shapes_equal_diffusers():
    ref = json.loads(reference_file("diffusers-unet3d-params.json").read_text())
    for key, config in (("sd21", SD21), ("tiny", TINY_DIFFUSERS)):
        net = declare(config, "serial", device="meta")
        mine = {n: list(p.shape) for n, p in net.named_parameters()}
        assert mine == ref[key], key
        assert list(mine) == list(ref[key]), f"{key}: same names in diffusers' order"


def test_sd21_counts_equal_the_typescript_ones():
    serial = SD21.groups.count(declare(SD21, "serial", device="meta"))
    assert serial["spatial"] == 865_910_724
    assert serial["temporal"] == 545_323_136
    assert serial["extra"] == 0
    parallel = SD21.groups.count(declare(SD21, "parallel", device="meta"))
    assert parallel["spatial"] == 865_910_724
    assert parallel["temporal"] == 574_833_536
    assert parallel["extra"] == 23_462_400
    assert parallel["temporal"] + parallel["extra"] == 598_295_936


def test_parallel_extra_names():
    names = {n: list(p.shape) for n, p in declare(TINY_DIFFUSERS, "parallel", device="meta").named_parameters()}
    assert names["conv_fusion.weight"] == [32, 64, 1, 1]
    # up_blocks.1.temp_convs.0: h enters its SC with 64 + 32 channels and leaves with 32.
    assert names["up_blocks.1.temp_convs.0.conv_shortcut.weight"] == [32, 96, 1, 1]
    assert names["up_blocks.1.temp_convs.0.conv1.0.weight"] == [96]
    assert names["up_blocks.1.temp_convs.0.conv1.2.weight"] == [32, 96, 3, 1, 1]
    assert names["up_blocks.1.temp_convs.0.conv2.3.weight"] == [32, 32, 3, 1, 1]
    assert "down_blocks.0.temp_convs.0.conv_shortcut.weight" not in names  # 32 -> 32: identity residual
