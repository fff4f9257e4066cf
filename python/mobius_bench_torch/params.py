"""Parameter groups and counts: 'spatial' (the frozen 2D UNet), 'temporal'
(transformer_in, temp_convs, temp_attentions), 'extra' (what only the parallel
net adds). The rules come in the run message (src/protocol/param-groups.ts
defines them): the first rule with a matching pattern decides, a name no rule
matches is spatial. Counting works on meta-device networks, so sd21's counts
need no memory."""
from __future__ import annotations

from torch import nn

GROUPS = ("spatial", "temporal", "extra")


class ParamGroups:
    def __init__(self, rules: list[dict]):
        self.rules = rules

    def group_of(self, name: str) -> str:
        for rule in self.rules:
            for pattern in rule["anyOf"]:
                prefix = pattern.get("prefix")
                if (prefix is None or name.startswith(prefix)) and all(s in name for s in pattern["contains"]):
                    return rule["group"]
        return "spatial"

    def count(self, net: nn.Module) -> dict[str, int]:
        counts = {g: 0 for g in GROUPS}
        for name, p in net.named_parameters():
            counts[self.group_of(name)] += p.numel()
        counts["total"] = sum(counts[g] for g in GROUPS)
        return counts
