"""What the tests build networks and trainers from, as the harness's run
message carries it: protocol_cases.json is generated from the TypeScript
protocol (tools/export-protocol.ts), so these tests use the same UNet layouts,
modes, parameter-group rules and settings defaults the worker receives."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from mobius_bench_torch.run_message import ModeSpec, NetSpec, TorchSettings, mode_from_json, net_spec_from_json, \
    settings_from_json

CASES = json.loads((Path(__file__).resolve().parent / "protocol_cases.json").read_text())
MODES = list(CASES["modes"])
# What may change without changing the UNet layout (it depends on channels, attention and layers per block).
_LAYOUT_FREE = {"transformerInHeads", "headDim", "crossDim", "groups", "latentChannels"}


def unet_json(preset: str, **overrides) -> dict:
    assert set(overrides) <= _LAYOUT_FREE, f"{set(overrides) - _LAYOUT_FREE} would change the UNet layout"
    return {**CASES["unets"][preset]["unet"], **overrides}


def net_spec(preset: str, **overrides) -> NetSpec:
    return net_spec_from_json(unet_json(preset, **overrides), CASES["unets"][preset]["layout"], CASES["paramGroups"])


def mode(name: str) -> ModeSpec:
    return mode_from_json(CASES["modes"][name])


def settings(**changes) -> TorchSettings:
    """The harness's defaults (fp32, auto device and attention, lr 1e-4) with `changes` (snake_case)."""
    return replace(settings_from_json(CASES["torchDefaults"]), **changes)


def run_message(preset: str, mode_name: str, *, unet: dict | None = None, torch: dict | None = None,
                memory_cap_bytes: int | None = None, **cell) -> dict:
    """A run message as the harness writes it: the cell's fields camelCase (`cell`), `torch` overriding defaults."""
    config = {"preset": preset, "unet": unet or unet_json(preset), "mode": mode_name, "seed": 0, "backend": "torch",
              "textLength": CASES["unets"][preset]["defaults"]["textLength"], **cell}
    return {"type": "run", "id": f"test-{preset}-{mode_name}", "config": config,
            "torch": {**CASES["torchDefaults"], **(torch or {})}, "mode": CASES["modes"].get(mode_name, {}),
            "layout": CASES["unets"][preset]["layout"], "paramGroups": CASES["paramGroups"],
            "memoryCapBytes": memory_cap_bytes}
