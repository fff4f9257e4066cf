"""mobius-bench's PyTorch worker: the serial (diffusers UNet3DConditionModel) and
parallel (Mobius, Eqs. 8-9) 3D-UNets with diffusers' parameter names, their
training step, and the JSON-lines worker the TypeScript harness runs per cell.

Entry points: ``python -m mobius_bench_torch.worker`` (one cell),
``python -m mobius_bench_torch.env`` (environment report); the tests' own
entry points are in ``mobius_bench_checks``. Nothing here imports torch at package import,
so the worker can time torch's own import.
"""
