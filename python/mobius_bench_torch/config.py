"""The UNet configuration both networks are built from (the TypeScript
UNetConfig, read from its camelCase JSON) and the layer plan both networks walk
(src/model/layout.ts planUNet): the down blocks (layers pushing skips, then a
downsampler that pushes too, except at the lowest level), the mid block (SC TC
SA TA, then SC TC), the up blocks (layersPerBlock + 1 layers, each popping a
skip, then an upsampler except at the top). Each step also names the diffusers
module it lives in (down_blocks.i / mid_block / up_blocks.i, index j)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

from .errors import UserError


@dataclass(frozen=True)
class UNetConfig:
    latent_channels: int
    block_channels: tuple[int, ...]
    attention: tuple[bool, ...]
    layers_per_block: int
    head_dim: int
    cross_dim: int
    groups: int
    transformer_in_heads: int

    _JSON_FIELDS = {
        "latentChannels": "latent_channels",
        "blockChannels": "block_channels",
        "attention": "attention",
        "layersPerBlock": "layers_per_block",
        "headDim": "head_dim",
        "crossDim": "cross_dim",
        "groups": "groups",
        "transformerInHeads": "transformer_in_heads",
    }

    @classmethod
    def from_json(cls, obj: object) -> "UNetConfig":
        """From the TypeScript UNetConfig object; a UserError names the bad field."""
        if not isinstance(obj, dict):
            raise UserError(f"unet: expected a UNetConfig object, got {type(obj).__name__}")
        values = {}
        for key, attr in cls._JSON_FIELDS.items():
            if key not in obj:
                raise UserError(f"unet.{key} is missing")
            v = obj[key]
            if key == "blockChannels":
                if not isinstance(v, list) or not v or not all(_is_int(c) and c > 0 for c in v):
                    raise UserError(f"unet.blockChannels must be a non-empty list of positive integers, got {v!r}")
                v = tuple(v)
            elif key == "attention":
                if not isinstance(v, list) or not all(isinstance(a, bool) for a in v):
                    raise UserError(f"unet.attention must be a list of booleans, got {v!r}")
                v = tuple(v)
            elif not _is_int(v) or v < 1:
                raise UserError(f"unet.{key} must be a positive integer, got {v!r}")
            values[attr] = v
        config = cls(**values)
        config.validate()
        return config

    def to_json(self) -> dict:
        out = {}
        for key, attr in self._JSON_FIELDS.items():
            v = getattr(self, attr)
            out[key] = list(v) if isinstance(v, tuple) else v
        return out

    def validate(self) -> None:
        """The checks of src/model/config.ts validateConfig."""
        if len(self.attention) != len(self.block_channels):
            raise UserError(f"unet: attention has {len(self.attention)} entries for {len(self.block_channels)} levels")
        for c in self.block_channels:
            if c % self.groups:
                raise UserError(f"unet: {c} channels are not divisible into {self.groups} groups")
            if c % self.head_dim:
                raise UserError(f"unet: {c} channels are not a whole number of {self.head_dim}-channel heads")

    def latent_size(self, size: int) -> int:
        """Latent side for an image of `size` pixels (the VAE's 8x, then 2x per level change)."""
        levels_down = len(self.block_channels) - 1
        multiple = 8 * 2**levels_down
        if not _is_int(size) or size <= 0 or size % multiple:
            raise UserError(f"size {size} px does not fit this UNet: it must be a positive multiple of {multiple} "
                            f"(8 for the VAE x 2^{levels_down} for its downsamplings)")
        return size // 8


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass(frozen=True)
class LayerStep:
    """One SC (TC SA TA) layer."""
    name: str
    block: Literal["down", "mid", "up"]
    level: int  # index into down_blocks / up_blocks (0 for mid)
    index: int  # index into the block's resnets, temp_convs, ...
    in_ch: int  # channels of the stream entering the layer, before a skip is concatenated
    skip_ch: int  # channels of the skip concatenated to it (0 in down and mid blocks)
    out_ch: int
    attention: bool
    skip: Literal["push", "pop", "none"]
    kind: Literal["layer"] = "layer"


@dataclass(frozen=True)
class ResampleStep:
    kind: Literal["down", "up"]
    name: str
    level: int
    channels: int


Step = Union[LayerStep, ResampleStep]


def plan_unet(config: UNetConfig) -> list[Step]:
    ch = config.block_channels
    levels = len(ch)
    steps: list[Step] = []
    skip_channels = [ch[0]]  # the input conv's output is the first skip
    prev = ch[0]
    for i, out in enumerate(ch):
        for j in range(config.layers_per_block):
            steps.append(LayerStep(f"down.{i}.{j}", "down", i, j, prev if j == 0 else out, 0, out, config.attention[i], "push"))
            skip_channels.append(out)
        if i < levels - 1:
            steps.append(ResampleStep("down", f"down.{i}.downsample", i, out))
            skip_channels.append(out)
        prev = out
    bottom = ch[-1]
    steps.append(LayerStep("mid.0", "mid", 0, 0, bottom, 0, bottom, True, "none"))
    steps.append(LayerStep("mid.1", "mid", 0, 1, bottom, 0, bottom, False, "none"))
    rev = list(reversed(ch))
    rev_attention = list(reversed(config.attention))
    prev = bottom
    for i, out in enumerate(rev):
        for j in range(config.layers_per_block + 1):
            skip = skip_channels.pop()
            steps.append(LayerStep(f"up.{i}.{j}", "up", i, j, prev if j == 0 else out, skip, out, rev_attention[i], "pop"))
        if i < levels - 1:
            steps.append(ResampleStep("up", f"up.{i}.upsample", i, out))
        prev = out
    assert not skip_channels, f"UNet plan left {len(skip_channels)} skips unused"
    return steps
