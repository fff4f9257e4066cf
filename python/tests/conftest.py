"""pytest setup for the torch worker's tests (python/ and tests/ are on the
path by pyproject.toml's pythonpath): the networks the tests share (from the
generated protocol cases, cases.py), and the diffusers fixture vendored in
test/fixtures/diffusers."""
from __future__ import annotations

from pathlib import Path

from cases import net_spec

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent
REFERENCE = REPO / "test" / "fixtures" / "diffusers"

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
    """A file of the vendored diffusers fixture (test/fixtures/diffusers/README.md)."""
    return REFERENCE / name
