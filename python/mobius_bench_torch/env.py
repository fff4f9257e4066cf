"""The torch environment as one JSON object on stdout (`python -m
mobius_bench_torch.env`): interpreter, torch/CUDA/cuDNN versions (and numpy's,
which only the tests need: null without it), the GPUs, and what attention and
TF32 this torch can do. Builds no network."""
from __future__ import annotations

import json
import platform
import sys

import torch
import torch.backends.cuda
import torch.backends.cudnn
import torch.nn.functional as F
import torch.version

from .runtime import tf32_capable


def _numpy_version() -> str | None:
    try:
        import numpy
    except ImportError:
        return None
    return numpy.__version__


def environment() -> dict:
    cuda = torch.cuda.is_available()
    devices = []
    if cuda:
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            devices.append({"name": props.name, "totalMemoryBytes": props.total_memory,
                            "capability": f"{props.major}.{props.minor}"})
    flash = None
    if cuda and hasattr(torch.backends.cuda, "flash_sdp_enabled"):
        flash = bool(torch.backends.cuda.flash_sdp_enabled())
    return {
        "python": platform.python_version(),
        "executable": sys.executable,
        "torch": torch.__version__,
        "numpy": _numpy_version(),
        "cudaAvailable": cuda,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "devices": devices,
        "sdpa": hasattr(F, "scaled_dot_product_attention"),
        "flash": flash,
        "tf32Capable": tf32_capable(),
    }


if __name__ == "__main__":
    print(json.dumps(environment()))
