"""What the serial and the parallel network share: diffusers' module tree
(conv_in, time_proj, time_embedding, transformer_in, down_blocks, up_blocks,
mid_block, conv_norm_out, conv_act, conv_out, registered in diffusers' order so
the state dicts list the same names in the same order), built from the UNet
layout of the run message (which modules each step uses), the input embedding and output head of
UNet3DConditionModel.forward, the 2D UNet frame by frame, and the optional
activation checkpointing of one layer's segment."""
from __future__ import annotations

import inspect
from typing import Callable, cast

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from .attention import set_attention_impl
from .blocks import (Downsample2D, ResnetBlock2D, TemporalConvLayer, TimestepEmbedding, Timesteps, Transformer2DModel,
                     TransformerTemporalModel, Upsample2D)
from .config import LayerStep, ResampleStep
from .layers import GroupNorm
from .run_message import NetSpec

# torch >= 1.11 has the non-reentrant checkpoint (it keeps no autograd graph
# of the segment and allows inputs that need no grad); older ones only the reentrant one.
_CHECKPOINT_KWARGS = {"use_reentrant": False} if "use_reentrant" in inspect.signature(checkpoint).parameters else {}


class UNetBlock(nn.Module):
    """A diffusers 3D block's module lists (Down/Up/Mid, with or without cross-attention)."""

    resnets: nn.ModuleList
    temp_convs: nn.ModuleList
    attentions: nn.ModuleList  # with cross-attention only
    temp_attentions: nn.ModuleList
    downsamplers: nn.ModuleList  # where the level has a resampler
    upsamplers: nn.ModuleList

    def __init__(self, attention: bool):
        super().__init__()
        self.resnets = nn.ModuleList()
        self.temp_convs = nn.ModuleList()
        if attention:
            self.attentions = nn.ModuleList()
            self.temp_attentions = nn.ModuleList()


class VideoUNet(nn.Module):
    network: str  # 'serial' | 'parallel'

    def __init__(self, spec: NetSpec, device=None):
        super().__init__()
        config = spec.unet
        self.config = config
        self.layout = spec.layout
        self.groups = spec.groups
        self.checkpointing = False
        c0 = config.block_channels[0]
        temb = 4 * c0
        levels = len(config.block_channels)
        g, hd = config.groups, config.head_dim

        self.conv_in = nn.Conv2d(config.latent_channels, c0, 3, padding=1, device=device)
        self.time_proj = Timesteps(c0)
        self.time_embedding = TimestepEmbedding(c0, temb, device=device)
        self.transformer_in = TransformerTemporalModel(config.transformer_in_heads, hd, c0, g, device=device)
        self.down_blocks = nn.ModuleList([UNetBlock(config.attention[i]) for i in range(levels)])
        self.up_blocks = nn.ModuleList([UNetBlock(config.attention[levels - 1 - i]) for i in range(levels)])
        self.mid_block = UNetBlock(True)
        for step in self.layout:
            if isinstance(step, ResampleStep):
                if step.kind == "down":
                    self.down_blocks[step.level].downsamplers = nn.ModuleList([Downsample2D(step.channels, device=device)])
                else:
                    self.up_blocks[step.level].upsamplers = nn.ModuleList([Upsample2D(step.channels, device=device)])
                continue
            block = self._block(step)
            c = step.out_ch
            block.resnets.append(ResnetBlock2D(step.in_ch + step.skip_ch, c, temb, g, device=device))
            block.temp_convs.append(self._temporal_conv(step, device))
            if step.attention:
                block.attentions.append(Transformer2DModel(c // hd, hd, c, config.cross_dim, g, device=device))
                block.temp_attentions.append(TransformerTemporalModel(c // hd, hd, c, g, device=device))
        self.conv_norm_out = GroupNorm(g, c0, eps=1e-5, device=device)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(c0, config.latent_channels, 3, padding=1, device=device)

    def _temporal_conv(self, step: LayerStep, device) -> TemporalConvLayer:
        raise NotImplementedError

    def _block(self, step: LayerStep) -> UNetBlock:
        if step.block == "down":
            return cast(UNetBlock, self.down_blocks[step.level])
        if step.block == "up":
            return cast(UNetBlock, self.up_blocks[step.level])
        return self.mid_block

    def layer(self, step: LayerStep) -> tuple[nn.Module, nn.Module, nn.Module | None, nn.Module | None]:
        """The step's (SC, TC, SA, TA); SA and TA are None without attention."""
        block, j = self._block(step), step.index
        if not step.attention:
            return block.resnets[j], block.temp_convs[j], None, None
        return block.resnets[j], block.temp_convs[j], block.attentions[j], block.temp_attentions[j]

    def resampler(self, step: ResampleStep) -> nn.Module:
        if step.kind == "down":
            return cast(UNetBlock, self.down_blocks[step.level]).downsamplers[0]
        return cast(UNetBlock, self.up_blocks[step.level]).upsamplers[0]

    def set_attention(self, impl: str) -> None:
        set_attention_impl(self, impl)

    def embed(self, sample: torch.Tensor, timesteps: torch.Tensor, text: torch.Tensor):
        """UNet3DConditionModel.forward's preamble: the time embedding and the text
        per frame, and the clips [B, C, F, H, W] folded to frames [B*F, C, H, W]."""
        b, f = sample.shape[0], sample.shape[2]
        t_emb = self.time_proj(timesteps.expand(b))
        # Timesteps gives float32; diffusers casts to the net's dtype before the MLP.
        emb = self.time_embedding(t_emb.to(self.time_embedding.linear_1.weight.dtype))
        emb = emb.repeat_interleave(f, dim=0)
        text = text.repeat_interleave(f, dim=0)
        x = sample.permute(0, 2, 1, 3, 4).reshape((b * f, -1) + sample.shape[3:])
        return emb, text, x

    def head(self, h: torch.Tensor, num_frames: int) -> torch.Tensor:
        """norm -> SiLU -> conv_out, then the frames unfolded to [B, C, F, H, W]."""
        h = self.conv_out(self.conv_act(self.conv_norm_out(h)))
        return h[None, :].reshape((-1, num_frames) + h.shape[1:]).permute(0, 2, 1, 3, 4)

    def segment(self, fn: Callable[..., torch.Tensor], *args) -> torch.Tensor:
        """One layer's work; one checkpoint segment (recomputed in backward) when checkpointing."""
        if self.checkpointing and torch.is_grad_enabled():
            return checkpoint(fn, *args, **_CHECKPOINT_KWARGS)
        return fn(*args)

    def walk(self, start: torch.Tensor, layer: Callable[[LayerStep, torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """The U-Net walk every stream shares (Eqs. 4-5): down the levels pushing skips, up again
        concatenating them, through the frozen resamplers; `layer` computes one layer on its input
        (popped skip already concatenated). Returns the stream after the last up block."""
        h = start
        skips = [start]
        for step in self.layout:
            if isinstance(step, ResampleStep):
                h = self.resampler(step)(h)
                if step.kind == "down":
                    skips.append(h)
                continue
            if step.skip == "pop":
                h = torch.cat([h, skips.pop()], 1)
            h = layer(step, h)
            if step.skip == "push":
                skips.append(h)
        return h

    def forward_2d(self, sample: torch.Tensor, timesteps: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """The 2D UNet applied frame by frame: only the spatial modules (h' = SA(SC(h)))."""
        f = sample.shape[2]
        emb, text, x = self.embed(sample, timesteps, text)

        def spatial_layer(step: LayerStep, h: torch.Tensor) -> torch.Tensor:
            sc, _, sa, _ = self.layer(step)
            h = sc(h, emb)
            return sa(h, text) if sa is not None else h

        return self.head(self.walk(self.conv_in(x), spatial_layer), f)
