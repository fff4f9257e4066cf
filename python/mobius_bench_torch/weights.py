"""Building a network and materialising its weights from a seed. The modules
are declared on the meta device (no memory, so sd21's shapes and counts are
free), then given storage on the target device and initialised parameter by
parameter from a generator seeded by (seed, parameter name), as the TypeScript
side does (src/model/params.ts): two networks that share a parameter name get
the same values, so the serial and the parallel net of one seed have identical
spatial weights whatever order they declare them in.

Initialisers (PyTorch's defaults, as diffusers gets them): Linear and Conv
weight and bias U(+-1/sqrt(fan_in)); norms weight 1, bias 0; modules marked
`zero_init` (TC's last conv, TA's proj_out) all zeros; `take_first_half`
(conv_fusion) [I | 0] with bias 0."""
from __future__ import annotations

import math

import torch
from torch import nn

from .parallel import ParallelUNet
from .run_message import NetSpec
from .seeds import name_seed
from .serial import SerialUNet
from .unet import VideoUNet

NETWORKS = {"serial": SerialUNet, "parallel": ParallelUNet}


def declare(spec: NetSpec, network: str, device=None) -> VideoUNet:
    """The network's modules, on `device` ('meta' for shapes only) with torch's default init."""
    return NETWORKS[network](spec, device=device)


def build_network(spec: NetSpec, network: str, seed: int, device: torch.device | str = "cpu") -> VideoUNet:
    """Declared on meta, then materialised on `device` in float32 from `seed`."""
    net = declare(spec, network, device="meta")
    net.to_empty(device=device)
    init_weights(net, seed)
    return net


@torch.no_grad()
def init_weights(net: nn.Module, seed: int) -> None:
    for mod_name, module in net.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            full = f"{mod_name}.{p_name}" if mod_name else p_name
            p.copy_(_initial_value(module, p_name, p, seed, full))


def _initial_value(module: nn.Module, p_name: str, p: torch.Tensor, seed: int, name: str) -> torch.Tensor:
    if getattr(module, "take_first_half", False):
        if p_name == "bias":
            return torch.zeros_like(p)
        out_ch = p.shape[0]
        eye = torch.eye(out_ch, dtype=p.dtype, device=p.device).reshape(out_ch, out_ch, 1, 1)
        return torch.cat([eye, torch.zeros_like(eye)], dim=1)
    if getattr(module, "zero_init", False):
        return torch.zeros_like(p)
    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        return torch.ones_like(p) if p_name == "weight" else torch.zeros_like(p)
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.Conv3d)):
        weight = module.weight
        fan_in = weight.shape[1] * math.prod(weight.shape[2:])
        bound = 1.0 / math.sqrt(fan_in)
        g = torch.Generator(device=p.device)
        g.manual_seed(name_seed(seed, name))
        u = torch.rand(p.shape, generator=g, device=p.device, dtype=torch.float32)
        return u.mul_(2 * bound).sub_(bound)
    raise TypeError(f"no initialiser for {name} ({type(module).__name__})")
