"""One training configuration: a network in a tuning mode, AdamW, and the step
of DESIGN.md -- `accum` micro-batches of `batch` clips (forward + backward on
the epsilon objective, Eq. 3, each loss / accum), then one optimizer update and
zero_grad(set_to_none=True). The frozen parameters take no gradient (PyTorch
keeps nothing for them) and may be stored in bf16/fp16; the trained ones and
AdamW's state stay float32."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .attention import resolve_attention
from .config import UNetConfig
from .data import Batch, SampleShape, make_batch
from .errors import UserError
from .modes import parse_mode
from .params import count_params, param_group
from .runtime import PRECISIONS, autocast, check_precision, grad_scaler
from .weights import build_network


class Trainer:
    def __init__(self, config: UNetConfig, mode: str, *, batch: int, accum: int, frames: int, size: int,
                 text_length: int, seed: int, learning_rate: float = 1e-4, device: torch.device | str = "cpu",
                 precision: str = "fp32", frozen_weights: str = "fp32", attention: str = "auto",
                 dtype: torch.dtype = torch.float32, dropout: bool = True):
        """`dtype` float64 is for the tests; `dropout` False runs the net in eval mode."""
        self.spec = parse_mode(mode)
        for field, v in (("batch", batch), ("accum", accum), ("frames", frames), ("textLength", text_length)):
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise UserError(f"{field} must be a positive integer, got {v!r}")
        self.device = torch.device(device)
        check_precision(precision, frozen_weights, self.device)
        self.precision = precision
        self.frozen_weights = frozen_weights
        self.attention = resolve_attention(attention)
        self.batch, self.accum, self.seed = batch, accum, seed
        self.dtype = dtype
        self.loss_dtype = torch.promote_types(dtype, torch.float32)
        self.shape = SampleShape(config.latent_channels, frames, config.latent_size(size), text_length, config.cross_dim)

        torch.manual_seed(seed)  # dropout's masks: the only draws from torch's global generator
        net = build_network(config, self.spec.network, seed, self.device).to(dtype)
        net.set_attention(self.attention)
        net.checkpointing = self.spec.checkpoint
        for name, p in net.named_parameters():
            p.requires_grad_(param_group(name) in self.spec.trainable)
        if frozen_weights != "fp32":
            for p in net.parameters():
                if not p.requires_grad:
                    p.data = p.data.to(PRECISIONS[frozen_weights])
        net.train(dropout)
        self.net = net
        self.trainable = [p for p in net.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(self.trainable, lr=learning_rate, weight_decay=1e-2)
        self.scaler = grad_scaler(self.device, precision)
        self.step_index = 0

    def batch_for(self, step: int, micro: int) -> Batch:
        """The samples of micro-batch `micro` of step `step`."""
        first = (step * self.accum + micro) * self.batch
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
        for b in batches:
            with autocast(self.device, self.precision):
                pred = self.net(b.noisy, b.timesteps, b.text)
            loss = F.mse_loss(pred.to(self.loss_dtype), b.noise.to(self.loss_dtype))
            self.scaler.scale(loss / self.accum).backward()
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
        counts = count_params(self.net)
        trainable = sum(counts[g] for g in self.spec.trainable)
        return {**counts, "trainable": trainable, "frozen": counts["total"] - trainable}
