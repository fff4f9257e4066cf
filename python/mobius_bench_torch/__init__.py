"""mobius-bench's PyTorch worker: the serial (diffusers UNet3DConditionModel) and
parallel (Mobius, Eqs. 8-9) 3D-UNets with diffusers' parameter names, their
training step, and the JSON-lines worker the TypeScript harness runs per cell.

Entry points: ``python -m mobius_bench_torch.worker`` (one cell),
``python -m mobius_bench_torch.env`` (environment report),
``python -m mobius_bench_torch.parity_fixture`` (weights + a forward pass for the
TypeScript networks to reproduce). Nothing here imports torch at package import,
so the worker can time torch's own import.
"""
