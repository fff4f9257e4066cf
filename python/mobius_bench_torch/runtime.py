"""Where and in what precision a run computes: the device ('auto' | 'cuda' |
'cpu'), the autocast context and gradient scaler of a precision ('fp32' |
'bf16' | 'fp16'), TF32 for fp32 on Ampere and later. The harness sends these
resolved and checked; what is refused here is what this machine's torch
cannot do. Feature checks, not version strings: this runs on torch 1.13 and 2.x."""
from __future__ import annotations

import contextlib
import sys
import warnings

import torch
import torch.amp
import torch.backends.cuda
import torch.backends.cudnn

from .errors import UserError

PRECISIONS = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_device(choice: str) -> torch.device:
    """'auto' | 'cuda' | 'cpu' (the message's torch.device) -> the device torch will use."""
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "cuda":
        raise UserError(f"CUDA is not available to torch {torch.__version__} at {sys.executable}: "
                        "install a CUDA build of torch")
    return torch.device("cpu")


def check_precision(precision: str, device: torch.device) -> None:
    """Refuses a precision this device's torch cannot run (the message's values were checked by the harness)."""
    if precision != "fp32" and not _autocast_works(device, PRECISIONS[precision]):
        raise UserError(f"precision '{precision}' cannot run on the {device.type} with torch {torch.__version__}: its "
                        f"{device.type} autocast has no {str(PRECISIONS[precision]).replace('torch.', '')}; use "
                        f"{'bf16 or fp32' if device.type == 'cpu' else 'fp16 or fp32'} here")
    if precision == "fp16" and device.type != "cuda" and not hasattr(torch.amp, "GradScaler"):
        raise UserError(f"precision 'fp16' needs a gradient scaler, which torch {torch.__version__} has for CUDA "
                        "only: use bf16 or fp32 on the CPU")


def _autocast_works(device: torch.device, dtype: torch.dtype) -> bool:
    """Whether autocast on this device really runs `dtype` (torch 1.13's CPU
    autocast refuses float16; some versions only warn and switch off)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with torch.autocast(device.type, dtype=dtype):
                return torch.ones(2, 2, device=device).matmul(torch.ones(2, 2, device=device)).dtype == dtype
    except RuntimeError:
        return False


def autocast(device: torch.device, precision: str):
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=PRECISIONS[precision])


class _NoScaler:
    """GradScaler's interface for precisions that need no loss scaling."""

    def scale(self, loss):
        return loss

    def step(self, optimizer):
        optimizer.step()

    def update(self):
        pass


def grad_scaler(device: torch.device, precision: str):
    if precision != "fp16":
        return _NoScaler()
    if hasattr(torch.amp, "GradScaler"):  # torch >= 2.3 (getattr: older types do not have it)
        return getattr(torch.amp, "GradScaler")(device.type)
    return getattr(torch.cuda.amp, "GradScaler")()  # torch < 2.3 (not in its typed exports)


def enable_tf32(device: torch.device, precision: str) -> bool:
    """fp32 on a GPU with TF32 (compute capability >= 8): matmuls and cuDNN
    convolutions in TF32, as training code does there. Returns whether matmuls
    run in TF32."""
    if device.type != "cuda":
        return False
    # torch >= 2.9 sets TF32 through fp32_precision (allow_tf32 still works there, with a
    # deprecation warning); older ones have allow_tf32 alone.
    matmul, conv = torch.backends.cuda.matmul, torch.backends.cudnn
    new_api = hasattr(matmul, "fp32_precision") and hasattr(getattr(conv, "conv", None), "fp32_precision")
    if precision == "fp32" and tf32_capable():
        if new_api:
            matmul.fp32_precision = "tf32"
            conv.conv.fp32_precision = "tf32"
        else:
            matmul.allow_tf32 = True
            setattr(conv, "allow_tf32", True)  # cudnn's module class watches the assignment
    return matmul.fp32_precision == "tf32" if new_api else bool(matmul.allow_tf32)


def tf32_capable() -> bool:
    return torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 8
