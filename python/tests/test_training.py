"""Test 4: the training step. Checkpointed modes give the plain modes'
gradients; accum 2 x batch 1 is accum 1 x batch 2; a step changes the trained
weights and leaves the frozen ones bit-identical; dropout is seeded."""
from __future__ import annotations

import pytest
import torch

import cases
from conftest import TINY
from mobius_bench_torch.trainer import Trainer

SHAPE = dict(frames=2, size=32, text_length=4, seed=3)  # latent 4x4: fast


def trainer(mode: str, batch: int = 1, accum: int = 1, **kw) -> Trainer:
    return Trainer(TINY, cases.mode(mode), cases.settings(), batch=batch, accum=accum, **{**SHAPE, **kw})


def grads(t: Trainer, step: int = 0) -> dict[str, torch.Tensor]:
    t.accumulate(t.prepare(step))
    return {n: p.grad.clone() for n, p in t.net.named_parameters() if p.grad is not None}


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], tol: float) -> None:
    assert a.keys() == b.keys()
    for n in a:
        scale = b[n].abs().max().clamp_min(1e-30)
        assert ((a[n] - b[n]).abs().max() / scale).item() <= tol, n


@pytest.mark.parametrize("plain", ["delta-serial", "delta-parallel"])
def test_checkpointing_keeps_the_gradients(plain):
    # Dropout on: the checkpoint must also replay the forward's dropout masks.
    a = grads(trainer(plain, dtype=torch.float64))
    b = grads(trainer(f"{plain}-ckpt", dtype=torch.float64))
    assert len(a) > 0
    assert_same(b, a, 1e-10)


@pytest.mark.parametrize("mode", ["delta-serial", "delta-parallel"])
def test_accumulation_splits_a_batch(mode):
    one = trainer(mode, batch=2, accum=1, dtype=torch.float64, dropout=False)
    two = trainer(mode, batch=1, accum=2, dtype=torch.float64, dropout=False)
    assert_same(grads(two), grads(one), 1e-10)
    one.update()
    two.update()
    assert_same({n: p.detach() for n, p in two.net.named_parameters()},
                {n: p.detach() for n, p in one.net.named_parameters()}, 1e-10)


@pytest.mark.parametrize("mode", ["delta-serial", "delta-parallel"])
def test_a_step_trains_only_the_trainable_weights(mode):
    t = trainer(mode)
    before = {n: p.detach().clone() for n, p in t.net.named_parameters()}
    trained = {n for n, p in t.net.named_parameters() if p.requires_grad}
    # At initialisation the parallel net's output ignores t (fusion [I | 0]) and
    # every zero-initialised projection blocks the gradient behind it: three
    # steps reach every temporal weight of either net.
    for _ in range(3):
        t.step()
    for n, p in t.net.named_parameters():
        if n in trained:
            assert not torch.equal(p, before[n]), f"{n} did not change"
        else:
            assert torch.equal(p, before[n]), f"frozen {n} changed"


def test_dropout_is_seeded_and_active():
    def losses(**kw):
        t = trainer("delta-serial", **kw)
        return [t.step() for _ in range(3)]

    first, again, no_dropout = losses(), losses(), losses(dropout=False)
    assert first == again
    # At initialisation TC's last conv is zero, so dropout before it changes
    # nothing; once a step has trained it, the masks show in the loss.
    assert first[0] == no_dropout[0]
    assert first[1:] != no_dropout[1:]
