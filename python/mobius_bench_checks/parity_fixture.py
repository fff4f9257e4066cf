"""Writes a parity fixture: a network's weights, inputs, and its float64 forward
pass, for the TypeScript networks to load by name and reproduce
(`python -m mobius_bench_checks.parity_fixture --message '<run message JSON>'
--out f.npz`, the pair repeated for more fixtures from one process, which then
imports torch once): the message's network (its mode's), UNet, UNet layout,
frames, size, batch, text length and seed S.

The net is built from seed S in float64; every weight is moved off its init by
N(0, 0.05) noise (a torch.Generator seeded with S, in parameter order) and
rounded to float32 values, so zero-initialised layers show in the output.
Then, from the same generator: input.sample, input.timesteps, input.text, and
loss.target. Eval mode (no dropout). Keys as reference/diffusers-unet3d-tiny.npz:
param.<name> (float32), input.sample [B, C, F, h, w] (float64), input.timesteps
[B] (int64), input.text [B, L, crossDim] (float64), output.sample (float64),
loss.target (float64), loss.value [1] = mean((output - target)^2), and
grad.<name> (float32) of every parameter outside the spatial group (temporal;
the parallel net's extra ones too)."""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import torch

from mobius_bench_torch.errors import UserError
from mobius_bench_torch.run_message import NetSpec, parse_run_message
from mobius_bench_torch.weights import build_network


def make_fixture(spec: NetSpec, network: str, frames: int, size: int, batch: int, text_length: int,
                 seed: int) -> dict[str, np.ndarray]:
    config = spec.unet
    latent = config.latent_size(size)
    net = build_network(spec, network, seed).double().eval()
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
        if spec.groups.group_of(name) != "spatial":
            assert p.grad is not None, f"{name}: no gradient"
            arrays[f"grad.{name}"] = p.grad.float().numpy()
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mobius_bench_checks.parity_fixture", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--message", required=True, action="append", help="the torch worker's run message as JSON (repeatable)")
    parser.add_argument("--out", required=True, action="append", help="the .npz to write for the --message in the same place (repeatable)")
    args = parser.parse_args(argv)
    try:
        if len(args.message) != len(args.out):
            raise UserError(f"{len(args.message)} --message but {len(args.out)} --out: give one --out per --message, in the same order")
        # Every message is read before the first fixture is made: a bad one costs no work.
        messages = []
        for i, text in enumerate(args.message, start=1):
            try:
                messages.append(parse_run_message(json.loads(text)))
            except json.JSONDecodeError as err:
                raise UserError(f"--message {i} is not valid JSON: {err}") from None
            except UserError as err:
                raise UserError(f"--message {i}: {err}") from None
        for m, out in zip(messages, args.out):
            c = m.config
            arrays = make_fixture(m.net, m.mode.network, c["frames"], c["size"], c["batch"], c["textLength"], c["seed"])
            with open(out, "wb") as fh:  # a file object: np.savez would append .npz to a bare name
                np.savez(fh, **arrays)
    except UserError as err:
        print(f"parity_fixture: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
