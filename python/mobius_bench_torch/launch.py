"""torchrun, as the harness starts a data-parallel cell:
`python -m mobius_bench_torch.launch <torchrun's arguments>` is
`python -m torch.distributed.run <the same>`, with one repair.

torch 1.13's torchrun cannot start under Python 3.11: its `Std.from_str`
finds a stream setting by iterating an IntFlag, which from 3.11 on skips the
value 0, so the defaults (`--redirects 0 --tee 0`) parse to None and the
agent fails before any rank starts (fixed in torch 2.0). Where that is so,
`from_str` is replaced by one that looks the value up instead."""
from __future__ import annotations

import re
import sys

from torch.distributed.elastic.multiprocessing.api import Std


def _std_from_str(vm: str):
    """`0`..`3`, or a mapping `local_rank:value,...`, as torch's own from_str documents."""
    if re.fullmatch(r"[0-3]", vm):
        return Std(int(vm))
    if re.fullmatch(r"(\d:[0-3],)*\d:[0-3]", vm):
        return {int(i): Std(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm} does not match: <[0-3]> or <(\\d:[0-3],)*\\d:[0-3]>")


def repair_std_parsing() -> bool:
    """Replaces Std.from_str where it loses the value 0; True when it did."""
    if Std.from_str("0") is not None:
        return False
    setattr(Std, "from_str", staticmethod(_std_from_str))
    return True


def main(argv: list[str]) -> None:
    repair_std_parsing()
    from torch.distributed.run import main as torchrun
    torchrun(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
