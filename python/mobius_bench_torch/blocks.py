"""The blocks of diffusers' UNet3DConditionModel with its parameter names, in
its layout: [B*F, C, H, W] with the F frames of a clip consecutive, permuted to
[B, C, F, H, W] where diffusers does, so autograd keeps what diffusers keeps.

  SC  ResnetBlock2D            GN -> SiLU -> conv3x3 (+ time embedding) -> GN -> SiLU -> conv3x3, + input
  TC  TemporalConvLayer        four GN -> SiLU (-> Dropout) -> Conv3d(3,1,1) stages, + input
  SA  Transformer2DModel       GN -> linear proj_in -> attention over H*W tokens + text -> proj_out, + input
  TA  TransformerTemporalModel GN over a clip's frames -> proj_in -> attention over F frames -> proj_out, + input
  Downsample2D, Upsample2D, Timesteps + TimestepEmbedding.

Deliberate choices (DESIGN.md): TA has no frame-position encoding
(diffusers' positional_embeddings=None) and a zero-initialised proj_out
(ModelScope), so TA and TC (zero conv4) start as identities. TC's stages 2-4
drop out 0.1 before their conv, as diffusers' 3D blocks build it. The parallel
network's TC takes other channel counts than it gives (the time state enters
with its own skip concatenated): stage 1 maps in -> out and a 1x1
`conv_shortcut` carries the residual."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .attention import BasicTransformerBlock
from .layers import GroupNorm, nearest_double


class ResnetBlock2D(nn.Module):
    """SC. eps 1e-5 (the UNet's norm_eps), 1x1 conv_shortcut when channels change."""

    def __init__(self, in_ch: int, out_ch: int, temb_ch: int, groups: int, eps: float = 1e-5, device=None):
        super().__init__()
        self.norm1 = GroupNorm(groups, in_ch, eps=eps, device=device)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1, device=device)
        self.time_emb_proj = nn.Linear(temb_ch, out_ch, device=device)
        self.norm2 = GroupNorm(groups, out_ch, eps=eps, device=device)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, device=device)
        self.conv_shortcut = nn.Conv2d(in_ch, out_ch, 1, device=device) if in_ch != out_ch else None

    def forward(self, x: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x.contiguous() if self.training else x)
        return x + h


def _frame_conv_stage(in_ch: int, out_ch: int, groups: int, dropout: float | None, device) -> nn.Sequential:
    """GN -> SiLU (-> Dropout) -> Conv3d over frames; names .0 norm, .2 or .3 conv."""
    layers: list[nn.Module] = [GroupNorm(groups, in_ch, device=device), nn.SiLU()]
    if dropout is not None:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Conv3d(in_ch, out_ch, (3, 1, 1), padding=(1, 0, 0), device=device))
    return nn.Sequential(*layers)


class TemporalConvLayer(nn.Module):
    """TC. in_ch == out_ch in the serial net (diffusers' own); the parallel net's
    may differ, then conv1 maps in -> out and `conv_shortcut` (1x1 Conv2d)
    carries the residual. conv4's conv is zero-initialised (`zero_init`)."""

    def __init__(self, in_ch: int, out_ch: int, groups: int, dropout: float = 0.1, device=None):
        super().__init__()
        self.conv1 = _frame_conv_stage(in_ch, out_ch, groups, None, device)
        self.conv2 = _frame_conv_stage(out_ch, out_ch, groups, dropout, device)
        self.conv3 = _frame_conv_stage(out_ch, out_ch, groups, dropout, device)
        self.conv4 = _frame_conv_stage(out_ch, out_ch, groups, dropout, device)
        setattr(self.conv4[-1], "zero_init", True)  # a flag for weights.py, not a submodule
        self.conv_shortcut = nn.Conv2d(in_ch, out_ch, 1, device=device) if in_ch != out_ch else None

    def forward(self, x: torch.Tensor, num_frames: int) -> torch.Tensor:
        v = x[None, :].reshape((-1, num_frames) + x.shape[1:]).permute(0, 2, 1, 3, 4)
        identity = v
        v = self.conv4(self.conv3(self.conv2(self.conv1(v))))
        if self.conv_shortcut is None:
            v = identity + v
        v = v.permute(0, 2, 1, 3, 4).reshape((v.shape[0] * v.shape[2], -1) + v.shape[3:])
        if self.conv_shortcut is not None:
            v = self.conv_shortcut(x) + v
        return v


class Transformer2DModel(nn.Module):
    """SA, as Stable Diffusion 2 (use_linear_projection): per frame, self-attention
    over its H*W tokens and cross-attention to the text."""

    def __init__(self, heads: int, head_dim: int, in_ch: int, cross_dim: int, groups: int, device=None):
        super().__init__()
        inner = heads * head_dim
        self.norm = GroupNorm(groups, in_ch, eps=1e-6, device=device)
        self.proj_in = nn.Linear(in_ch, inner, device=device)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(inner, heads, head_dim, cross_dim, device=device)])
        self.proj_out = nn.Linear(inner, in_ch, device=device)

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        b, _, height, width = x.shape
        residual = x
        h = self.norm(x)
        inner = h.shape[1]
        h = self.proj_in(h.permute(0, 2, 3, 1).reshape(b, height * width, inner))
        for block in self.transformer_blocks:
            h = block(h, text)
        h = self.proj_out(h)
        h = h.reshape(b, height, width, inner).permute(0, 3, 1, 2).contiguous()
        return h + residual


class TransformerTemporalModel(nn.Module):
    """TA (and transformer_in): per spatial location, two self-attentions over
    the F frames of its clip (double_self_attention), no position encoding."""

    def __init__(self, heads: int, head_dim: int, in_ch: int, groups: int, device=None):
        super().__init__()
        inner = heads * head_dim
        self.norm = GroupNorm(groups, in_ch, eps=1e-6, device=device)
        self.proj_in = nn.Linear(in_ch, inner, device=device)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, heads, head_dim, double_self_attention=True, device=device)])
        self.proj_out = nn.Linear(inner, in_ch, device=device)
        setattr(self.proj_out, "zero_init", True)  # ModelScope: starts as the identity

    def forward(self, x: torch.Tensor, num_frames: int) -> torch.Tensor:
        bf, c, height, width = x.shape
        b = bf // num_frames
        residual = x
        h = x[None, :].reshape(b, num_frames, c, height, width).permute(0, 2, 1, 3, 4)
        h = self.norm(h)  # over the frames of a clip
        h = h.permute(0, 3, 4, 2, 1).reshape(b * height * width, num_frames, c)
        h = self.proj_in(h)
        for block in self.transformer_blocks:
            h = block(h)
        h = self.proj_out(h)
        h = h[None, None, :].reshape(b, height, width, num_frames, c).permute(0, 3, 4, 1, 2).contiguous()
        h = h.reshape(bf, c, height, width)
        return h + residual


class Downsample2D(nn.Module):
    def __init__(self, channels: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels: int, device=None):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(nearest_double(x))


class Timesteps(nn.Module):
    """Sinusoidal features, flip_sin_to_cos=True, downscale_freq_shift=0: [cos | sin].
    Computed in float32 like diffusers (its caller casts to the net's dtype)."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels

    def forward(self, timesteps: torch.Tensor) -> torch.Tensor:
        half = self.channels // 2
        exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / half
        args = timesteps[:, None].float() * torch.exp(exponent)[None, :]
        emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
        if self.channels % 2:
            emb = F.pad(emb, (0, 1, 0, 0))
        return emb


class TimestepEmbedding(nn.Module):
    def __init__(self, in_ch: int, dim: int, device=None):
        super().__init__()
        self.linear_1 = nn.Linear(in_ch, dim, device=device)
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(dim, dim, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(x)))
