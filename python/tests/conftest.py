"""pytest setup for the torch worker's tests: python/ on sys.path, the configs
the tests share, and the diffusers reference files (../shared/reference beside
the repository), skipped with a reason where they are absent."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
REFERENCE = REPO.parent / "shared" / "reference"
sys.path.insert(0, str(PYTHON_DIR))

from mobius_bench_torch.config import UNetConfig  # noqa: E402
from worker_cells import TINY_TS_JSON  # noqa: E402

SD21_JSON = dict(latentChannels=4, blockChannels=[320, 640, 1280, 1280], attention=[True, True, True, False],
                 layersPerBlock=2, headDim=64, crossDim=1024, groups=32, transformerInHeads=8)
# diffusers' transformer_in always has 8 heads, so the reference fixture's tiny has 8.
TINY_DIFFUSERS_JSON = {**TINY_TS_JSON, "transformerInHeads": 8}

SD21 = UNetConfig.from_json(SD21_JSON)
TINY = UNetConfig.from_json(TINY_TS_JSON)
TINY_DIFFUSERS = UNetConfig.from_json(TINY_DIFFUSERS_JSON)


def pytest_collection_finish(session):
    """The worker processes start once their tests are selected, to run beside the in-process tests."""
    if any("worker_runs" in getattr(item, "fixturenames", ()) for item in session.items):
        import worker_cells
        worker_cells.start()


def reference_file(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the diffusers reference lives in shared/reference beside the repository")
    return path
