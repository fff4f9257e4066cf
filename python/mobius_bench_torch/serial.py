"""The classic serial 3D-UNet (Eq. 7): per layer h' = TA(SA(TC(SC(h)))), with
`transformer_in` after the input conv -- diffusers' UNet3DConditionModel, same
parameter names and shapes (a diffusers state dict loads with strict=True) and
the same forward. With checkpointing on, each layer's SC -> TC -> SA -> TA is
one checkpoint segment (the skip concatenation before it is not)."""
from __future__ import annotations

import torch

from .blocks import TemporalConvLayer
from .config import LayerStep
from .unet import VideoUNet


class SerialUNet(VideoUNet):
    network = "serial"

    def _temporal_conv(self, step: LayerStep, device) -> TemporalConvLayer:
        return TemporalConvLayer(step.out_ch, step.out_ch, self.config.groups, device=device)

    def forward(self, sample: torch.Tensor, timesteps: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """sample [B, C, F, H, W], timesteps [B], text [B, L, crossDim] -> [B, C, F, H, W]."""
        f = sample.shape[2]
        emb, text, x = self.embed(sample, timesteps, text)
        h = self.transformer_in(self.conv_in(x), f)
        h = self.walk(h, lambda step, h: self.segment(self._layer_fn(step, f), h, emb, text))
        return self.head(h, f)

    def _layer_fn(self, step: LayerStep, f: int):
        sc, tc, sa, ta = self.layer(step)

        def layer(h: torch.Tensor, emb: torch.Tensor, text: torch.Tensor) -> torch.Tensor:  # Eq. 7
            h = tc(sc(h, emb), f)
            if sa is not None and ta is not None:
                h = ta(sa(h, text), f)
            return h

        return layer
