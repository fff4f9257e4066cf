"""The torch worker's run message (src/protocol/torch-run-message.ts), read:
checked against its schema by the generated run_message_check.py, then turned
into typed parts. Nothing here defaults or derives: the harness resolved the
settings, the mode and the UNet layout before sending."""
from __future__ import annotations

from dataclasses import dataclass

from .config import Step, UNetConfig, layout_from_json
from .params import ParamGroups
from .run_message_check import check_run_message


@dataclass(frozen=True)
class NetSpec:
    """What a network is built from: its config, its UNet layout, how its parameters group."""
    unet: UNetConfig
    layout: tuple[Step, ...]
    groups: ParamGroups


@dataclass(frozen=True)
class ModeSpec:
    network: str  # 'serial' | 'parallel'
    trainable: tuple[str, ...]
    checkpointed: bool


@dataclass(frozen=True)
class TorchSettings:
    precision: str  # 'fp32' | 'bf16' | 'fp16'
    frozen_weights: str
    device: str  # 'auto' | 'cuda' | 'cpu'
    attention: str  # 'auto' | 'sdpa' | 'explicit'
    learning_rate: float


@dataclass(frozen=True)
class RunMessage:
    id: str
    config: dict  # the cell as the harness wrote it (camelCase)
    net: NetSpec
    mode: ModeSpec
    torch: TorchSettings
    # --memory-cap: the device made this small (out_of_memory.py); None: all of it.
    memory_cap_bytes: int | None

    def shape(self) -> dict:
        """The Trainer's shape arguments."""
        c = self.config
        return dict(batch=c["batch"], accum=c["accum"], frames=c["frames"], size=c["size"], text_length=c["textLength"],
                    seed=c["seed"])


def net_spec_from_json(unet: dict, layout: list[dict], param_groups: list[dict]) -> NetSpec:
    return NetSpec(UNetConfig.from_json(unet), layout_from_json(layout), ParamGroups(param_groups))


def mode_from_json(mode: dict) -> ModeSpec:
    return ModeSpec(mode["network"], tuple(mode["trainable"]), mode["checkpointed"])


def settings_from_json(torch: dict) -> TorchSettings:
    return TorchSettings(torch["precision"], torch["frozenWeights"], torch["device"], torch["attention"], torch["learningRate"])


def parse_run_message(message: object) -> RunMessage:
    """Raises UserError naming the first field the schema does not allow."""
    check_run_message(message)
    m: dict = message  # type: ignore[assignment]
    return RunMessage(m["id"], m["config"], net_spec_from_json(m["config"]["unet"], m["layout"], m["paramGroups"]),
                      mode_from_json(m["mode"]), settings_from_json(m["torch"]), m["memoryCapBytes"])
