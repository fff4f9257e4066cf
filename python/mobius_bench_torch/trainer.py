"""One training configuration: a network in a tuning mode, AdamW, and the step
of DESIGN.md -- `accum` micro-batches of `batch` clips (forward + backward on
the epsilon objective, Eq. 3, each loss / accum), then one optimizer update and
zero_grad(set_to_none=True). The frozen parameters take no gradient (PyTorch
keeps nothing for them) and may be stored in bf16/fp16; the trained ones and
AdamW's state stay float32."""
from __future__ import annotations

import contextlib
from typing import cast

import torch
import torch.nn.functional as F

from .attention import resolve_attention
from .data import Batch, SampleShape, make_batch
from .distributed import SINGLE, Ranks, without_all_reduce, wrap
from .run_message import ModeSpec, NetSpec, RunMessage, TorchSettings
from .runtime import PRECISIONS, autocast, check_precision, grad_scaler
from .weights import build_network


class Trainer:
    def __init__(self, net: NetSpec, mode: ModeSpec, settings: TorchSettings, *, batch: int, accum: int, frames: int,
                 size: int, text_length: int, seed: int, device: torch.device | str = "cpu",
                 dtype: torch.dtype = torch.float32, dropout: bool = True, ranks: Ranks = SINGLE):
        """`device` is where it trains (settings.device resolved); `dtype` float64 is for the tests;
        `dropout` False runs the net in eval mode; `ranks` of more than one wraps the net in
        DistributedDataParallel (the process group joined already) and draws this rank's samples."""
        self.spec = mode
        self.device = torch.device(device)
        check_precision(settings.precision, self.device)
        self.precision = settings.precision
        self.frozen_weights = settings.frozen_weights
        self.attention = resolve_attention(settings.attention)
        self.batch, self.accum, self.seed = batch, accum, seed
        self.ranks = ranks
        self.dtype = dtype
        self.loss_dtype = torch.promote_types(dtype, torch.float32)
        config = net.unet
        self.groups = net.groups
        self.shape = SampleShape(config.latent_channels, frames, config.latent_size(size), text_length, config.cross_dim)

        torch.manual_seed(seed)  # dropout's masks: the only draws from torch's global generator
        network = build_network(net, mode.network, seed, self.device).to(dtype)
        network.set_attention(self.attention)
        network.checkpointing = mode.checkpointed
        for name, p in network.named_parameters():
            p.requires_grad_(net.groups.group_of(name) in mode.trainable)
        if self.frozen_weights != "fp32":
            for p in network.parameters():
                if not p.requires_grad:
                    p.data = p.data.to(PRECISIONS[self.frozen_weights])
        network.train(dropout)
        self.net = network
        self.trainable = [p for p in network.parameters() if p.requires_grad]
        # What runs forward: the net, or DDP around it (after requires_grad is set: DDP buckets those).
        self.ddp = wrap(network, self.device) if ranks.world > 1 else None
        self.optimizer = torch.optim.AdamW(self.trainable, lr=settings.learning_rate, weight_decay=1e-2)
        self.scaler = grad_scaler(self.device, self.precision)
        self.step_index = 0

    @classmethod
    def for_message(cls, message: RunMessage, device: torch.device, **kwargs) -> "Trainer":
        """The message's cell, trained on `device`."""
        return cls(message.net, message.mode, message.torch, device=device, **message.shape(), **kwargs)

    def batch_for(self, step: int, micro: int) -> Batch:
        """This rank's samples of micro-batch `micro` of step `step`."""
        first = ((step * self.accum + micro) * self.ranks.world + self.ranks.rank) * self.batch
        return make_batch(self.shape, self.seed, first, self.batch, self.device, self.dtype)

    def prepare(self, step: int) -> list[Batch]:
        """The step's micro-batches, on the device: drawn outside the timed
        step, as a data loader would have them ready (sample generation is
        CPU work the training step does not do)."""
        return [self.batch_for(step, micro) for micro in range(self.accum)]

    def accumulate(self, batches: list[Batch]) -> torch.Tensor:
        """Forward and backward of the step's micro-batches; the gradients are
        left in .grad. Returns the mean loss (not read back)."""
        total = torch.zeros((), device=self.device, dtype=self.loss_dtype)
        net = self.ddp if self.ddp is not None else self.net
        for i, b in enumerate(batches):
            # DDP all-reduces once per step: after the last micro-batch's backward.
            sync = without_all_reduce(self.ddp) if self.ddp is not None and i < len(batches) - 1 else contextlib.nullcontext()
            with sync:
                with autocast(self.device, self.precision):
                    pred = net(b.noisy, b.timesteps, b.text)
                loss = F.mse_loss(pred.to(self.loss_dtype), b.noise.to(self.loss_dtype))
                cast(torch.Tensor, self.scaler.scale(loss / self.accum)).backward()
            total += loss.detach()
        return total / self.accum

    def update(self) -> None:
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)

    def step(self, batches: list[Batch] | None = None) -> float:
        """One optimizer update on `batches` (this step's `prepare`, drawn now
        when None); returns once the loss is read back and the update returned."""
        loss = self.accumulate(batches if batches is not None else self.prepare(self.step_index))
        self.update()
        self.step_index += 1
        return float(loss)

    def params(self) -> dict[str, int]:
        counts = self.groups.count(self.net)
        trainable = sum(counts[g] for g in self.spec.trainable)
        return {**counts, "trainable": trainable, "frozen": counts["total"] - trainable}
