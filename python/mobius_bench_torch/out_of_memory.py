"""Running out of memory is an answer ("does not fit"), not a crash: which
errors mean it, the bytes held when it happened, and `--memory-cap`, which
makes the worker's device that small for real.

An allocation fails in more words than "out of memory": cuBLAS and cuDNN
report their own allocation failures (CUBLAS_STATUS_ALLOC_FAILED,
CUDNN_STATUS_ALLOC_FAILED), and the CPU allocator says "can't allocate
memory", C++ inside torch `std::bad_alloc`. Each of them is the same answer.

The cap: on CUDA torch.cuda.set_per_process_memory_fraction, so the caching
allocator refuses past it as a smaller card would; on the CPU an address-space
limit (RLIMIT_AS) of what the process has mapped when the cap is set plus the
cap, so allocations past it fail inside torch's allocator, as they would on a
machine with that much memory."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import torch
import torch.cuda

from .errors import UserError

_OOM_WORDS = (
    "out of memory",
    "CUBLAS_STATUS_ALLOC_FAILED",
    "CUDNN_STATUS_ALLOC_FAILED",
    "CUDNN_STATUS_NOT_ENOUGH_WORKSPACE",
    "can't allocate memory",
    "Cannot allocate memory",
    "std::bad_alloc",  # C++ code inside torch (gloo, the CPU kernels) failing to allocate
)

_UNITS = {"B": 1, "bytes": 1, "KiB": 2 ** 10, "MiB": 2 ** 20, "GiB": 2 ** 30, "TiB": 2 ** 40}
# "Tried to allocate 2.00 GiB" (CUDA) / "you tried to allocate 10485760 bytes" (CPU)
_REQUEST = re.compile(r"[Tt]ried to allocate ([0-9.]+) ?(B|bytes|KiB|MiB|GiB|TiB)")


def is_out_of_memory(err: BaseException) -> bool:
    if isinstance(err, MemoryError):
        return True
    oom = getattr(torch.cuda, "OutOfMemoryError", None)  # torch >= 1.13
    if oom is not None and isinstance(err, oom):
        return True
    text = str(err)
    return isinstance(err, RuntimeError) and any(word in text for word in _OOM_WORDS)


def requested_bytes(message: str) -> int | None:
    """The size of the allocation that failed, where the message says it."""
    m = _REQUEST.search(message)
    return None if m is None else int(float(m.group(1)) * _UNITS[m.group(2)])


class ProcessStatus:
    """Reads VmSize/VmPeak/VmRSS from /proc/self/status into a buffer made beforehand: when the
    cell has just run out of memory, opening and reading a file anew may fail as well."""

    def __init__(self) -> None:
        self._buffer = bytearray(16384)
        try:
            self._fd: int | None = os.open("/proc/self/status", os.O_RDONLY)
        except OSError:
            self._fd = None

    def bytes_of(self, key: str) -> int | None:
        if self._fd is None:
            return None
        n = os.preadv(self._fd, [self._buffer], 0)
        start = self._buffer.find(key.encode("ascii") + b":", 0, n)
        if start < 0:
            return None
        end = self._buffer.find(b" kB", start, n)
        digits = self._buffer[start + len(key) + 1:end].strip()
        return int(digits) * 1024 if digits.isdigit() else None


class DoesNotFit(Exception):
    """The cell ran out of memory: `report` is the `oom` part of the worker's error message."""

    def __init__(self, message: str, report: dict):
        super().__init__(message)
        self.report = report


@dataclass
class MemoryCap:
    """The cap a cell runs under (None: the whole device), and what counts against it."""
    device: torch.device
    cap_bytes: int | None
    # CPU: the address space mapped when the cap was set (torch, Python, thread stacks),
    # and the most the process had mapped by then.
    mapped_at_start: int = 0
    peak_at_start: int = 0
    status: ProcessStatus = field(default_factory=ProcessStatus)

    def allocated_bytes(self) -> int | None:
        """Bytes held now: the CUDA allocator's, or on the CPU what counts against the cap
        (address space mapped since it was set), or the resident set without a cap."""
        if self.device.type == "cuda":
            return int(torch.cuda.memory_allocated(self.device))
        if self.cap_bytes is not None:
            # By the time the error is reported the stack has unwound and freed what the
            # failed step held: the peak since the cap was set is what it held when it
            # failed. The kernel keeps one peak for the process's life, so it tells only
            # once it has passed the peak from before the cap; until then, what is mapped now.
            peak = self.status.bytes_of("VmPeak")
            size = peak if peak is not None and peak > self.peak_at_start else self.status.bytes_of("VmSize")
            return None if size is None else max(0, size - self.mapped_at_start)
        return self.status.bytes_of("VmRSS")

    def lift(self) -> None:
        """Ends a CPU cap once the cell has run out of memory: reading the figures and
        writing the error need a little memory too, which the cap may no longer give."""
        if self.device.type == "cuda" or self.cap_bytes is None:
            return
        import resource
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))

    def report(self, err: BaseException) -> dict:
        """The `oom` part of the worker's error message: what was held when the allocation
        failed, read before the cap is lifted for the rest."""
        allocated = self.allocated_bytes()
        self.lift()
        return {
            "allocatedBytes": allocated,
            "requestedBytes": requested_bytes(str(err)),
            "capBytes": self.cap_bytes,
            "device": self.device.type,
        }


def apply_memory_cap(device: torch.device, cap_bytes: int | None) -> MemoryCap:
    """Makes `device` `cap_bytes` large for this process (before the network is built)."""
    if cap_bytes is None:
        return MemoryCap(device, None)
    if device.type == "cuda":
        total = torch.cuda.get_device_properties(device).total_memory
        if cap_bytes > total:
            raise UserError(f"--memory-cap {cap_bytes} B is more than this GPU has ({total} B): "
                            "use a smaller cap, or none")
        torch.cuda.set_per_process_memory_fraction(cap_bytes / total, device)
        return MemoryCap(device, cap_bytes)
    try:
        import resource
    except ImportError:
        raise UserError("--memory-cap on the CPU needs an address-space limit (RLIMIT_AS), "
                        "which this platform does not have") from None
    # Start the intra-op threads first: a thread created later could not get
    # its stack under the limit, and would fail in other words than "out of memory".
    torch.ones(256, 256).matmul(torch.ones(256, 256))
    status = ProcessStatus()
    mapped = status.bytes_of("VmSize")
    peak = status.bytes_of("VmPeak")
    if mapped is None or peak is None:
        raise UserError("--memory-cap on the CPU reads /proc/self/status, which this platform does not have")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + cap_bytes if hard == resource.RLIM_INFINITY else min(hard, mapped + cap_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return MemoryCap(device, cap_bytes, mapped, peak, status)
