"""Memory of the measured steps. On CUDA, the caching allocator's live tensor
bytes (memory_allocated, its peak reset before each measured step) and its
reserved peak; on a CPU, the process's resident set from /proc/self/status
(VmRSS, and VmHWM as the peak, reset before each step by writing 5 to
/proc/self/clear_refs). Also the static shares: weights, gradients, optimizer
state."""
from __future__ import annotations

import re

import torch


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            m = re.search(rf"^{field}:\s+(\d+) kB", fh.read(), re.M)
    except OSError:  # not Linux
        return None
    return int(m.group(1)) * 1024 if m else None


def rss_bytes() -> int:
    return _status_kb("VmRSS") or 0


def rss_peak_bytes() -> int:
    """VmHWM, the resident set's high-water mark (ru_maxrss where /proc is missing)."""
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_rss_peak() -> bool:
    """Resets VmHWM to the current RSS; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class StepMemory:
    """Per measured step: call begin() before it and end() after; summary() at the end."""

    def __init__(self, device: torch.device):
        self.device = device
        self.cuda = device.type == "cuda"
        self.start_bytes: int | None = None
        self.step_peaks: list[int] = []
        self.reserved_peak = 0
        # The process's lifetime peak (build included), read before each reset.
        self.rss_peak = rss_peak_bytes()

    def begin(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            if self.start_bytes is None:
                self.start_bytes = torch.cuda.memory_allocated(self.device)
            return
        self.rss_peak = max(self.rss_peak, rss_peak_bytes())
        # Without a reset (clear_refs not writable) VmHWM is the peak since the
        # process started, build included: an upper bound of the step's peak.
        reset_rss_peak()
        if self.start_bytes is None:
            self.start_bytes = rss_bytes()

    def end(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)
            self.step_peaks.append(torch.cuda.max_memory_allocated(self.device))
            self.reserved_peak = max(self.reserved_peak, torch.cuda.max_memory_reserved(self.device))
        else:
            self.step_peaks.append(rss_peak_bytes())

    def summary(self, weights: int, gradients: int, optimizer: int) -> dict:
        start = self.start_bytes or 0
        peak = max(self.step_peaks) if self.step_peaks else start
        return {
            "source": "cuda-allocated" if self.cuda else "rss",
            "startBytes": start,
            "peakBytes": peak,
            "weightsBytes": weights,
            "gradientBytes": gradients,
            "optimizerBytes": optimizer,
            "peakAboveStartBytes": peak - start,
            "reservedPeakBytes": self.reserved_peak if self.cuda else None,
            "rssPeakBytes": max(self.rss_peak, rss_peak_bytes()),
        }


def tensor_bytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def optimizer_state_bytes(optimizer: torch.optim.Optimizer, device: torch.device) -> int:
    """AdamW's per-weight state on the model's device: exp_avg and exp_avg_sq.
    Its `step` counter is a 0-dim tensor (on the CPU unless the optimizer is
    capturable or fused): a few bytes per weight tensor, not counted."""
    total = 0
    for state in optimizer.state.values():
        for value in state.values():
            if torch.is_tensor(value) and value.dim() > 0 and value.device.type == device.type:
                total += value.numel() * value.element_size()
    return total
