"""The UNet configuration and layout the networks are built from, as the
run message carries them (src/protocol/torch-run-message.ts; the layout is
src/model/layout.ts unetLayout's): read, not derived -- the message was checked
against its schema (run_message_check.py) before these are made.

The layout: the down blocks (layers pushing skips, then a downsampler that pushes
too, except at the lowest level), the mid block (SC TC SA TA, then SC TC), the
up blocks (layersPerBlock + 1 layers, each popping a skip, then an upsampler
except at the top). Each step names the diffusers module it lives in
(down_blocks.<level> / mid_block / up_blocks.<level>, index)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union


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

    @classmethod
    def from_json(cls, obj: dict) -> "UNetConfig":
        """From the message's camelCase UNetConfig."""
        return cls(obj["latentChannels"], tuple(obj["blockChannels"]), tuple(obj["attention"]), obj["layersPerBlock"],
                   obj["headDim"], obj["crossDim"], obj["groups"], obj["transformerInHeads"])

    def latent_size(self, size: int) -> int:
        """Latent side for an image of `size` pixels (the VAE's 8x; the harness checked it divides)."""
        return size // 8


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


def layout_from_json(steps: list[dict]) -> tuple[Step, ...]:
    """The message's `layout`."""
    return tuple(
        LayerStep(s["name"], s["block"], s["level"], s["index"], s["inCh"], s["skipCh"], s["outCh"], s["attention"], s["skip"])
        if s["kind"] == "layer" else ResampleStep(s["kind"], s["name"], s["level"], s["channels"])
        for s in steps)
