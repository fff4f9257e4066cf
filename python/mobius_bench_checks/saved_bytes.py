"""What autograd keeps for the backward pass of one micro-batch, counted on the
real worker net: `python -m mobius_bench_checks.saved_bytes '<run message JSON>'`
(or a JSON array of them, answered in one process, as an array). The TypeScript
PyTorch planner (src/plan/torch/) is tested against these counts.

A run message is the worker's (src/protocol/torch-run-message.ts); the cell
always runs here on the CPU with the explicit attention (softmax(QK^T)V written
out), in train mode (the temporal convs' dropout on), as the worker's Trainer
builds it.

What is counted (`savedBytes`): the unique storages (untyped storage, its
nbytes) that torch.autograd.graph.saved_tensors_hooks sees packed from the
net's input to the loss of micro-batch 0, plus, in the checkpointed modes, the
tensors each checkpoint segment was called with (non-reentrant checkpointing
keeps them in its recompute closure instead of packing them; what a segment
saves inside is packed by checkpoint's own hooks and recomputed in backward, so
it is not kept). Storages of parameters are weights, not saved activations:
they are left out of `savedBytes` and reported as `parameterSavedBytes`.

Also printed: the weights / gradients / optimizer-state split exactly as the
worker reports it (worker.py, memory.py): every parameter's bytes, 4 bytes per
trained weight, and AdamW's state after one update (made here with zero
gradients). `--detail` adds each counted storage with its shape, dtype and the
autograd nodes that saved it."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from dataclasses import replace

from mobius_bench_torch import unet as unet_module
from mobius_bench_torch.errors import UserError
from mobius_bench_torch.memory import optimizer_state_bytes, tensor_bytes
from mobius_bench_torch.run_message import parse_run_message
from mobius_bench_torch.runtime import autocast
from mobius_bench_torch.trainer import Trainer


def _storage_of(t: torch.Tensor):
    """(key, nbytes) of the memory a tensor views: the same for every view of it."""
    if hasattr(t, "untyped_storage"):  # torch >= 2.0 (getattr: 1.13's types do not have it)
        s = getattr(t, "untyped_storage")()
        return s.data_ptr(), s.nbytes()
    s = t.storage()  # torch 1.13: a TypedStorage over the untyped one
    return s.data_ptr(), s.nbytes()


class SavedStorages:
    """Unique storages seen, with a reference to one tensor of each, so that no
    storage is freed and its address reused while counting."""

    def __init__(self, parameter_keys: set):
        self.parameter_keys = parameter_keys
        self.kept: dict[int, tuple[int, torch.Tensor, str]] = {}

    def add(self, t: torch.Tensor, why: str) -> None:
        if not isinstance(t, torch.Tensor) or t.device.type == "meta":
            return
        key, nbytes = _storage_of(t)
        if key not in self.kept:
            self.kept[key] = (nbytes, t, why)

    def bytes(self, parameters: bool) -> int:
        return sum(n for k, (n, _, _) in self.kept.items() if (k in self.parameter_keys) == parameters)


@contextmanager
def _recording_checkpoint_inputs(storages: SavedStorages):
    """Checkpoint segments' inputs, which the recompute closure keeps alive."""
    original = unet_module.checkpoint

    def checkpoint(fn, *args, **kwargs):
        for a in args:
            if isinstance(a, torch.Tensor):
                storages.add(a, "checkpoint-input")
        return original(fn, *args, **kwargs)

    unet_module.checkpoint = checkpoint
    try:
        yield
    finally:
        unet_module.checkpoint = original


def _saving_nodes(loss: torch.Tensor) -> dict[int, list[str]]:
    """storage key -> names of the autograd nodes that saved it (for --detail)."""
    names: dict[int, list[str]] = {}
    seen = set()
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        for attr in dir(node):
            if attr.startswith("_saved_"):
                try:
                    value = getattr(node, attr)
                except RuntimeError:  # freed, or packed by checkpoint's own hooks
                    continue
                for t in value if isinstance(value, (tuple, list)) else (value,):
                    if isinstance(t, torch.Tensor):
                        names.setdefault(_storage_of(t)[0], []).append(f"{type(node).__name__}.{attr[7:]}")
        stack.extend(fn for fn, _ in node.next_functions)
    return names


def count_cell(raw_message: dict, detail: bool = False) -> dict:
    message = parse_run_message(raw_message)
    settings = replace(message.torch, attention="explicit")
    trainer = Trainer(message.net, message.mode, settings, device="cpu", **message.shape())
    params = list(trainer.net.parameters())
    storages = SavedStorages({_storage_of(p)[0] for p in params})
    batch = trainer.batch_for(0, 0)
    # As Trainer.accumulate, with every packed tensor recorded.
    with _recording_checkpoint_inputs(storages), \
            torch.autograd.graph.saved_tensors_hooks(lambda t: (storages.add(t, "saved"), t)[1], lambda t: t):
        with autocast(trainer.device, trainer.precision):
            pred = trainer.net(batch.noisy, batch.timesteps, batch.text)
        loss = F.mse_loss(pred.to(trainer.loss_dtype), batch.noise.to(trainer.loss_dtype)) / trainer.accum
    out: dict[str, object] = {
        "savedBytes": storages.bytes(parameters=False),
        "savedStorages": sum(1 for k in storages.kept if k not in storages.parameter_keys),
        "parameterSavedBytes": storages.bytes(parameters=True),
    }
    if detail:
        nodes = _saving_nodes(loss)
        out["detail"] = [
            {"bytes": n, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "why": why,
             "nodes": nodes.get(k, [])}
            for k, (n, t, why) in storages.kept.items() if k not in storages.parameter_keys]
    del loss, pred, storages
    # The static split, with the worker's own functions (worker.py run_cell).
    for p in trainer.trainable:
        p.grad = torch.zeros_like(p)
    trainer.optimizer.step()
    out.update({
        "weightsBytes": tensor_bytes(params),
        "gradientBytes": sum(p.numel() * 4 for p in trainer.trainable),
        "optimizerBytes": optimizer_state_bytes(trainer.optimizer, trainer.device),
    })
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--detail"]
    if len(args) != 1:
        print("usage: python -m mobius_bench_checks.saved_bytes [--detail] '<run message JSON | [run message JSON, ...]>'", file=sys.stderr)
        return 2
    try:
        cells = json.loads(args[0])
        if isinstance(cells, list):
            print(json.dumps([count_cell(c, "--detail" in argv) for c in cells]))
        else:
            print(json.dumps(count_cell(cells, "--detail" in argv)))
    except UserError as err:
        print(f"saved_bytes: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
