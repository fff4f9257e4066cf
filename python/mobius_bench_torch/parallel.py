"""The parallel (Mobius) 3D-UNet. The hidden state h runs through the frozen 2D
UNet alone (Eq. 8: h' = SA(SC(h))), without building an autograd graph; the
time state t starts from h after the input conv through this net's own
transformer_in (decoupling, paper 3.2) and runs beside it (Eq. 9):

    t' = SA(SC(h)) + TA(SC(h) + TC(t))      (t' = SC(h) + TC(t) without attention)

Both streams keep their own skip stacks (Eqs. 4-5, concatenation); t goes
through the same frozen resamplers; the output is head(conv_fusion(h (+) t))
(Eq. 6), conv_fusion starting as "take h" ([I | 0], bias 0). (Eq. 10's
TA(TC(t)) is a typo of Eq. 9.) With checkpointing on, each time-stream layer
(TC, +SC, TA, +SA) is one checkpoint segment.

Parameter names: the spatial modules are named as in the serial net (conv_in,
time_embedding, down_blocks.i.resnets.j / attentions.j / downsamplers.0,
mid_block..., up_blocks..., conv_norm_out, conv_out), and so are the temporal
ones (transformer_in, <block>.temp_convs.j, <block>.temp_attentions.j). A
temp_conv whose time state enters with other channels than it leaves with
(in = the channels h enters SC with, skip included; out = the layer's) has
conv1.0 = GroupNorm(in), conv1.2 = Conv3d(in -> out), and the parallel-only
    <block>.temp_convs.j.conv_shortcut.{weight [out, in, 1, 1], bias [out]}
carrying the residual. The other parallel-only parameters are
    conv_fusion.{weight [c0, 2*c0, 1, 1], bias [c0]}."""
from __future__ import annotations

import contextlib

import torch
from torch import nn

from .blocks import TemporalConvLayer
from .config import LayerStep
from .unet import VideoUNet


class ParallelUNet(VideoUNet):
    network = "parallel"

    def __init__(self, spec, device=None):
        super().__init__(spec, device=device)
        c0 = self.config.block_channels[0]
        self.conv_fusion = nn.Conv2d(2 * c0, c0, 1, device=device)
        setattr(self.conv_fusion, "take_first_half", True)  # Eq. 6 starts as "take h": weight [I | 0], bias 0

    def _temporal_conv(self, step: LayerStep, device) -> TemporalConvLayer:
        # t enters with the channels h enters SC with (its own skip concatenated).
        return TemporalConvLayer(step.in_ch + step.skip_ch, step.out_ch, self.config.groups, device=device)

    def spatial_stream(self, x: torch.Tensor, emb: torch.Tensor, text: torch.Tensor):
        """The h stream (Eq. 8): h0, per layer (SC(h), SA(SC(h)) or None), h_out."""
        h0 = self.conv_in(x)
        trace: list[tuple[torch.Tensor, torch.Tensor | None] | None] = []

        def spatial_layer(step: LayerStep, h: torch.Tensor) -> torch.Tensor:
            sc, _, sa, _ = self.layer(step)
            sc_out = sc(h, emb)
            sa_out = sa(sc_out, text) if sa is not None else None
            trace.append((sc_out, sa_out))
            return sa_out if sa_out is not None else sc_out

        h_out = self.walk(h0, spatial_layer)
        return h0, trace, h_out

    def forward(self, sample: torch.Tensor, timesteps: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """sample [B, C, F, H, W], timesteps [B], text [B, L, crossDim] -> [B, C, F, H, W]."""
        f = sample.shape[2]
        frozen = not any(p.requires_grad for n, p in self.named_parameters() if self.groups.group_of(n) == "spatial")
        with torch.no_grad() if frozen else contextlib.nullcontext():
            emb, text, x = self.embed(sample, timesteps, text)
            h0, trace, h_out = self.spatial_stream(x, emb, text)
        t = self.transformer_in(h0, f)
        del h0
        k = 0

        def time_layer(step: LayerStep, t: torch.Tensor) -> torch.Tensor:
            nonlocal k
            entry = trace[k]
            assert entry is not None, f"{step.name}: the h stream's tensors were read already"
            sc_out, sa_out = entry
            trace[k] = None  # this layer is the last reader of the h stream's tensors
            k += 1
            return self.segment(self._layer_fn(step, f), t, sc_out, sa_out)

        t = self.walk(t, time_layer)  # the same frozen resamplers as h
        return self.head(self.conv_fusion(torch.cat([h_out, t], 1)), f)  # Eq. 6

    def _layer_fn(self, step: LayerStep, f: int):
        _, tc, _, ta = self.layer(step)

        def layer(t: torch.Tensor, sc: torch.Tensor, sa: torch.Tensor | None) -> torch.Tensor:  # Eq. 9
            u = sc + tc(t, f)
            return sa + ta(u, f) if ta is not None else u

        return layer
