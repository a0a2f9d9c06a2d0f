"""Optimizers step for step against torch.optim (float64, 25 steps, 1e-10).

Both sides get the same gradient each step, a fixed nonlinear function of
the current parameters, so the test isolates the update rule.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import minidl
from minidl import optim

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def gradient_at(p: np.ndarray) -> np.ndarray:
    return np.cos(3 * p) + 0.1 * p**3 - 0.5


CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("Adagrad", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.05, lr_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_25_steps_equal_torch(name, kwargs, weight_decay):
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    ours = [minidl.nn.Parameter(p.copy()) for p in start]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in start]
    opt = getattr(optim, name)(ours, weight_decay=weight_decay, **kwargs)
    topt = getattr(torch.optim, name)(theirs, weight_decay=weight_decay, **kwargs)
    for step in range(25):
        for p, t in zip(ours, theirs):
            g = gradient_at(p.data)
            p.grad = g
            t.grad = torch.tensor(gradient_at(t.detach().numpy()))
        opt.step()
        topt.step()
        for i, (p, t) in enumerate(zip(ours, theirs)):
            err = np.abs(p.data - t.detach().numpy()).max()
            assert err <= 1e-10, f"{name} step {step + 1} parameter {i}: max abs diff {err:.2e}"


def test_parameters_without_grad_are_skipped_and_zero_grad_clears():
    p, q = minidl.nn.Parameter(np.ones(2)), minidl.nn.Parameter(np.ones(2))
    opt = optim.SGD([p, q], lr=1.0)
    p.grad = np.array([1.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [0.0, -1.0])
    np.testing.assert_array_equal(q.data, [1.0, 1.0])
    opt.zero_grad()
    assert p.grad is None


def test_hyperparameter_validation():
    p = [minidl.nn.Parameter(np.ones(2))]
    with pytest.raises(ValueError, match="lr must be a non-negative number, got -1"):
        optim.SGD(p, lr=-1)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\), got 1.0"):
        optim.Adam(p, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="nesterov needs momentum > 0"):
        optim.SGD(p, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="requires_grad=True"):
        optim.Adam([minidl.tensor([1.0])])


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal((3, 4)) * 5, rng.standard_normal(4) * 5]
    ours = [minidl.nn.Parameter(np.zeros_like(g)) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, t, g in zip(ours, theirs, grads):
        p.grad, t.grad = g.copy(), torch.tensor(g)
    total = optim.clip_grad_norm_(ours, 1.5, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type)
    assert abs(total - float(ttotal)) <= 1e-10 * float(ttotal)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_clip_grad_value_matches_torch():
    g = np.random.default_rng(6).standard_normal((5, 5)) * 3
    p, t = minidl.nn.Parameter(np.zeros((5, 5))), torch.zeros((5, 5), dtype=torch.float64, requires_grad=True)
    p.grad, t.grad = g.copy(), torch.tensor(g)
    optim.clip_grad_value_([p], 0.7)
    torch.nn.utils.clip_grad_value_([t], 0.7)
    np.testing.assert_array_equal(p.grad, t.grad.numpy())


@pytest.mark.parametrize("eta_min", [0.0, 1e-3])
def test_cosine_annealing_rates_equal_torch(eta_min):
    p = minidl.tensor([1.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    schedule = optim.CosineAnnealingLR(opt, t_max=7, eta_min=eta_min)
    tp = torch.nn.Parameter(torch.tensor([1.0]))
    topt = torch.optim.Adam([tp], lr=0.01)
    tschedule = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=7, eta_min=eta_min)
    for epoch in range(7):
        topt.step()  # torch wants an optimizer step before each scheduler step
        tschedule.step()
        assert schedule.step() == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12, abs=1e-15), epoch
    assert opt.lr == pytest.approx(eta_min, abs=1e-15)  # the last epoch ends at eta_min


def test_cosine_annealing_validates_its_arguments():
    opt = optim.SGD([minidl.tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="t_max"):
        optim.CosineAnnealingLR(opt, t_max=0)
    with pytest.raises(ValueError, match="eta_min"):
        optim.CosineAnnealingLR(opt, t_max=3, eta_min=-1.0)
