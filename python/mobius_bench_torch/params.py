"""Parameter groups and counts: 'spatial' (the frozen 2D UNet), 'temporal'
(transformer_in, temp_convs, temp_attentions), 'extra' (what only the parallel
net adds: its temp_convs' conv_shortcut and conv_fusion). Counting works on
meta-device networks, so sd21's counts need no memory."""
from __future__ import annotations

from torch import nn

GROUPS = ("spatial", "temporal", "extra")


def param_group(name: str) -> str:
    if name.startswith("conv_fusion.") or (".temp_convs." in name and ".conv_shortcut." in name):
        return "extra"
    if name.startswith("transformer_in.") or ".temp_convs." in name or ".temp_attentions." in name:
        return "temporal"
    return "spatial"


def count_params(net: nn.Module) -> dict[str, int]:
    counts = {g: 0 for g in GROUPS}
    for name, p in net.named_parameters():
        counts[param_group(name)] += p.numel()
    counts["total"] = sum(counts[g] for g in GROUPS)
    return counts
