"""Seeded synthetic training samples and the SD 2.1 noise schedule. Sample k
of a run depends only on (seed, k) -- its own torch.Generator -- so accum 2 x
batch 1 sees the same samples as accum 1 x batch 2: a latent clip [C, F, h, w],
the noise [C, F, h, w], a text embedding [L, crossDim] (all N(0, 1)) and a
timestep in [0, 1000). The forward process (Eq. 3's input) is
x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, on the scaled-linear schedule
(1000 steps, beta 0.00085 -> 0.012 linear in sqrt(beta)). VAE and text encoder
are frozen in the paper and not run. Samples are drawn on the CPU (the same
values on every device) and moved."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .seeds import name_seed

TRAIN_TIMESTEPS = 1000
BETAS = torch.linspace(0.00085**0.5, 0.012**0.5, TRAIN_TIMESTEPS, dtype=torch.float64) ** 2
ALPHAS_CUMPROD = torch.cumprod(1 - BETAS, dim=0)


@dataclass(frozen=True)
class SampleShape:
    channels: int
    frames: int
    latent: int  # latent side, image size / 8
    text_length: int
    cross_dim: int


@dataclass
class Batch:
    noisy: torch.Tensor  # [B, C, F, h, w]
    timesteps: torch.Tensor  # [B] int64
    text: torch.Tensor  # [B, L, crossDim]
    noise: torch.Tensor  # the target, [B, C, F, h, w]


def sample(shape: SampleShape, seed: int, k: int):
    """(x0, noise, text, timestep) of sample k."""
    g = torch.Generator().manual_seed(name_seed(seed, f"sample.{k}"))
    clip = (shape.channels, shape.frames, shape.latent, shape.latent)
    x0 = torch.randn(clip, generator=g)
    noise = torch.randn(clip, generator=g)
    text = torch.randn((shape.text_length, shape.cross_dim), generator=g)
    t = int(torch.randint(0, TRAIN_TIMESTEPS, (1,), generator=g))
    return x0, noise, text, t


def make_batch(shape: SampleShape, seed: int, first: int, count: int, device, dtype=torch.float32) -> Batch:
    """Samples first .. first+count-1 as one batch."""
    parts = [sample(shape, seed, k) for k in range(first, first + count)]
    x0 = torch.stack([p[0] for p in parts]).double()
    noise = torch.stack([p[1] for p in parts]).double()
    timesteps = torch.tensor([p[3] for p in parts], dtype=torch.int64)
    abar = ALPHAS_CUMPROD[timesteps].view(-1, 1, 1, 1, 1)
    noisy = abar.sqrt() * x0 + (1 - abar).sqrt() * noise
    return Batch(
        noisy=noisy.to(device=device, dtype=dtype),
        timesteps=timesteps.to(device),
        text=torch.stack([p[2] for p in parts]).to(device=device, dtype=dtype),
        noise=noise.to(device=device, dtype=dtype),
    )
