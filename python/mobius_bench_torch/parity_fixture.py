"""Writes a parity fixture: a network's weights, inputs, and its float64 forward
pass, for the TypeScript networks to load by name and reproduce
(`python -m mobius_bench_torch.parity_fixture --network serial|parallel --unet
'<UNetConfig JSON>' --frames F --size PX --batch B --text-length L --seed S --out f.npz`).

The net is built from seed S in float64; every weight is moved off its init by
N(0, 0.05) noise (a torch.Generator seeded with S, in parameter order) and
rounded to float32 values, so zero-initialised layers show in the output.
Then, from the same generator: input.sample, input.timesteps, input.text, and
loss.target. Eval mode (no dropout). Keys as reference/diffusers-unet3d-tiny.npz:
param.<name> (float32), input.sample [B, C, F, h, w] (float64), input.timesteps
[B] (int64), input.text [B, L, crossDim] (float64), output.sample (float64),
loss.target (float64), loss.value [1] = mean((output - target)^2), and
grad.<name> (float32) of every trained parameter of the network's delta mode
(temporal; the parallel net's extra ones too)."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import torch

from .config import UNetConfig
from .errors import UserError
from .params import param_group
from .weights import build_network


def make_fixture(config: UNetConfig, network: str, frames: int, size: int, batch: int, text_length: int,
                 seed: int) -> dict[str, np.ndarray]:
    latent = config.latent_size(size)
    net = build_network(config, network, seed).double().eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g, dtype=torch.float64))
            p.copy_(p.float().double())  # exactly representable in float32
    sample = torch.randn((batch, config.latent_channels, frames, latent, latent), generator=g, dtype=torch.float64)
    timesteps = torch.randint(0, 1000, (batch,), generator=g, dtype=torch.int64)
    text = torch.randn((batch, text_length, config.cross_dim), generator=g, dtype=torch.float64)
    out = net(sample, timesteps, text)
    target = torch.randn(out.shape, generator=g, dtype=torch.float64)
    loss = ((out - target) ** 2).mean()
    loss.backward()
    arrays = {
        "input.sample": sample.numpy(),
        "input.timesteps": timesteps.numpy(),
        "input.text": text.numpy(),
        "output.sample": out.detach().numpy(),
        "loss.target": target.numpy(),
        "loss.value": loss.detach().reshape(1).numpy(),
    }
    for name, p in net.named_parameters():
        arrays[f"param.{name}"] = p.detach().float().numpy()
        if param_group(name) != "spatial":
            arrays[f"grad.{name}"] = p.grad.float().numpy()
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobius_bench_torch.parity_fixture", description=__doc__.split("\n")[0])
    parser.add_argument("--network", choices=("serial", "parallel"), required=True)
    parser.add_argument("--unet", required=True, help="the UNetConfig as JSON (camelCase, as the TypeScript presets)")
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--size", type=int, required=True, help="image size in pixels; the latent is size / 8")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--text-length", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True, help="the .npz to write")
    args = parser.parse_args(argv)
    try:
        try:
            unet = json.loads(args.unet)
        except json.JSONDecodeError as err:
            raise UserError(f"--unet is not valid JSON: {err}") from None
        config = UNetConfig.from_json(unet)
        for name in ("frames", "batch", "text_length"):
            if getattr(args, name) < 1:
                raise UserError(f"--{name.replace('_', '-')} must be a positive integer")
        arrays = make_fixture(config, args.network, args.frames, args.size, args.batch, args.text_length, args.seed)
    except UserError as err:
        print(f"parity_fixture: {err}", file=sys.stderr)
        return 2
    with open(args.out, "wb") as fh:  # a file object: np.savez would append .npz to a bare name
        np.savez(fh, **arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main())
