"""Primitive layers: torch.nn's GroupNorm and LayerNorm (same parameter names),
made safe for mixed precision on every torch this runs on, and nearest-neighbour
2x upsampling with the bfloat16 fallback diffusers uses.

CUDA autocast runs group_norm and layer_norm in float32 whatever the input and
weight dtypes; torch 1.13's CPU autocast does not, and fails on a bfloat16
activation with float32 weights (or the reverse, with frozen weights stored in
bfloat16). Where the dtypes differ these layers do what CUDA autocast does:
normalise in float32. Where they agree (fp32, the float64 tests) they are the
plain torch layers."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class GroupNorm(nn.GroupNorm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == self.weight.dtype:
            return super().forward(x)
        return F.group_norm(x.float(), self.num_groups, self.weight.float(), self.bias.float(), self.eps)


class LayerNorm(nn.LayerNorm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == self.weight.dtype:
            return super().forward(x)
        return F.layer_norm(x.float(), self.normalized_shape, self.weight.float(), self.bias.float(), self.eps)


_NEAREST_OK: dict[tuple[str, torch.dtype], bool] = {}


def _nearest_supports(x: torch.Tensor) -> bool:
    """Whether this torch has nearest upsampling for x's dtype on x's device
    (bfloat16 came to CUDA in torch 2.1): probed once on a tiny tensor."""
    key = (x.device.type, x.dtype)
    if key not in _NEAREST_OK:
        try:
            F.interpolate(torch.zeros(1, 1, 1, 1, dtype=x.dtype, device=x.device), scale_factor=2.0, mode="nearest")
            _NEAREST_OK[key] = True
        except RuntimeError:
            _NEAREST_OK[key] = False
    return _NEAREST_OK[key]


def nearest_double(x: torch.Tensor) -> torch.Tensor:
    """diffusers Upsample2D's interpolation: nearest x2, through float32 where
    the dtype has no kernel, contiguous for large batches (diffusers #984)."""
    dtype = x.dtype
    if not _nearest_supports(x):
        x = x.float()
    if x.shape[0] >= 64 or x.numel() * 2 > 2**31:
        x = x.contiguous()
    x = F.interpolate(x, scale_factor=2.0, mode="nearest")
    return x.to(dtype)
