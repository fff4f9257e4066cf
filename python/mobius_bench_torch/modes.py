"""The tuning modes (paper Fig. 4 and the checkpointing baselines): which
network, which parameter groups train, whether each layer is one activation
checkpoint segment. Names as the TypeScript MODES, plus the -ckpt two."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UserError


@dataclass(frozen=True)
class ModeSpec:
    network: str  # 'serial' | 'parallel'
    trainable: tuple[str, ...]
    checkpoint: bool
    description: str


MODES: dict[str, ModeSpec] = {
    "full": ModeSpec("serial", ("spatial", "temporal"), False, "serial net, every weight trains (Fig. 4a)"),
    "delta-serial": ModeSpec("serial", ("temporal",), False, "serial net, temporal layers train (Fig. 4b)"),
    "delta-parallel": ModeSpec("parallel", ("temporal", "extra"), False,
                               "parallel net, temporal layers and the parallel net's own layers train (Fig. 4c)"),
    "delta-serial-ckpt": ModeSpec("serial", ("temporal",), True,
                                  "delta-serial with each layer (SC TC SA TA) recomputed in backward"),
    "delta-parallel-ckpt": ModeSpec("parallel", ("temporal", "extra"), True,
                                    "delta-parallel with each time-stream layer (TC +SC TA +SA) recomputed in backward"),
}


def parse_mode(name: object) -> ModeSpec:
    if name not in MODES:
        raise UserError(f"unknown mode {name!r}: use one of {', '.join(MODES)}")
    return MODES[name]  # type: ignore[index]
