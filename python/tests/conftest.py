"""pytest setup for the torch worker's tests: python/ on sys.path, the
networks the tests share (from the generated protocol cases, cases.py), and the diffusers reference files (../shared/reference beside
the repository), skipped with a reason where they are absent."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
REFERENCE = REPO.parent / "shared" / "reference"
sys.path.insert(0, str(PYTHON_DIR))

from cases import net_spec  # noqa: E402

SD21 = net_spec("sd21")
TINY = net_spec("tiny")
# diffusers' transformer_in always has 8 heads, so the reference fixture's tiny has 8.
TINY_DIFFUSERS = net_spec("tiny", transformerInHeads=8)


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
