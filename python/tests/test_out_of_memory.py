"""Which errors mean "does not fit", and the size of the allocation that failed."""
from __future__ import annotations

import pytest
import torch

from mobius_bench_torch.out_of_memory import MemoryCap, is_out_of_memory, requested_bytes

OOM_MESSAGES = [
    "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.11 GiB total capacity)",
    "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`",
    "cuDNN error: CUDNN_STATUS_ALLOC_FAILED",
    "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to "
    "allocate 10485760 bytes. Error code 12 (Cannot allocate memory)",
    "std::bad_alloc",
]


@pytest.mark.parametrize("message", OOM_MESSAGES)
def test_allocation_failures_in_any_words_are_out_of_memory(message):
    assert is_out_of_memory(RuntimeError(message))


def test_python_memory_errors_are_out_of_memory_and_other_errors_are_not():
    assert is_out_of_memory(MemoryError())
    assert not is_out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"))
    assert not is_out_of_memory(ValueError("out of memory"))  # not an allocator's error


def test_the_failed_allocation_is_read_from_the_message():
    assert requested_bytes(OOM_MESSAGES[0]) == 2 * 2 ** 30
    assert requested_bytes(OOM_MESSAGES[3]) == 10485760
    assert requested_bytes(OOM_MESSAGES[1]) is None


def test_the_report_says_what_was_held_and_asked():
    report = MemoryCap(torch.device("cpu"), None).report(RuntimeError(OOM_MESSAGES[3]))
    assert report["requestedBytes"] == 10485760 and report["capBytes"] is None and report["device"] == "cpu"
    assert report["allocatedBytes"] > 0  # the resident set without a cap
