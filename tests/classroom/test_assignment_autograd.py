"""Assignment 1 (autograd): the graded tests, one pytest marker per task.

Each op's backward is compared with PyTorch's in float64 (rtol 1e-12,
atol 1e-12: both compute the same closed form, so they agree to rounding).
The gradient checker is compared with exact derivatives. Every test hands
its worst relative error to the grader with ``record_property``.
"""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl.gradcheck import numerical_grad, relative_error

torch = pytest.importorskip("torch")

RTOL = ATOL = 1e-12


def check_against_torch(record_property, ours_fn, torch_fn, *arrays, seed=0):
    """Backward of ours_fn vs torch_fn at ``arrays`` with the same random output weights."""
    ours = [minidl.tensor(a, requires_grad=True) for a in arrays]
    out = ours_fn(*ours)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(weights)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    torch_fn(*theirs).backward(torch.tensor(weights))
    worst = 0.0
    for i, (o, t) in enumerate(zip(ours, theirs)):
        assert o.grad is not None, f"input {i} got no gradient"
        expected = t.grad.numpy()
        assert o.grad.shape == expected.shape, f"gradient of input {i} has shape {o.grad.shape}, expected {expected.shape}"
        worst = max(worst, float(relative_error(o.grad, expected).max(initial=0.0)))
    record_property("worst_rel_error", worst)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"gradient of input {i} differs from PyTorch's")


def rand(*shape, seed=1, positive=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((5,), ()), ((), (2, 3))]


# ---------------------------------------------------------------- task 1.1
@pytest.mark.task1_1
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
def test_mul_backward(record_property, shapes):
    a, b = rand(*shapes[0], seed=1), rand(*shapes[1], seed=2)
    check_against_torch(record_property, lambda x, y: x * y, lambda x, y: x * y, a, b)


@pytest.mark.task1_1
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
def test_div_backward(record_property, shapes):
    a, b = rand(*shapes[0], seed=1), rand(*shapes[1], seed=2, positive=True)
    check_against_torch(record_property, lambda x, y: x / y, lambda x, y: x / y, a, b)


# ---------------------------------------------------------------- task 1.2
@pytest.mark.task1_2
@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                    ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_backward(record_property, shapes):
    a, b = rand(*shapes[0], seed=3), rand(*shapes[1], seed=4)
    check_against_torch(record_property, lambda x, y: x @ y, lambda x, y: x @ y, a, b)


# ---------------------------------------------------------------- task 1.3
@pytest.mark.task1_3
@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid"])
def test_pointwise_backward(record_property, name):
    x = rand(3, 5, seed=5, positive=(name == "log")) * (1 if name == "log" else 3)
    check_against_torch(record_property, lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)


# ---------------------------------------------------------------- task 1.4
@pytest.mark.task1_4
@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_backward(record_property, name, axis, keepdims):
    x = rand(2, 3, 4, seed=6)
    check_against_torch(record_property,
                        lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
                        lambda t: getattr(t, name)(dim=(0, 1, 2) if axis is None else axis, keepdim=keepdims),
                        x)


# ---------------------------------------------------------------- task 1.5
@pytest.mark.task1_5
def test_numerical_grad_matches_exact_derivatives(record_property):
    x, y = rand(3, 4, seed=7), rand(4, seed=8)
    weights = rand(3, 4, seed=9)
    gx, gy = numerical_grad(lambda a, b: (a * a * b).tanh(), x, y, grad_output=weights)
    # exact: d/da tanh(a^2 b) = (1 - tanh^2) 2ab, d/db = sum over rows of (1 - tanh^2) a^2
    outer = weights * (1 - np.tanh(x * x * y) ** 2)
    exact_x, exact_y = outer * 2 * x * y, (outer * x * x).sum(axis=0)
    worst = max(float(relative_error(gx, exact_x).max()), float(relative_error(gy, exact_y).max()))
    record_property("worst_rel_error", worst)
    np.testing.assert_allclose(gx, exact_x, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gy, exact_y, rtol=1e-7, atol=1e-9)


@pytest.mark.task1_5
def test_numerical_grad_is_a_central_difference(record_property):
    # for x^3 the central difference is exactly 3x^2 + eps^2; a one-sided one is off by ~3x eps
    x = np.array([-1.5, 0.0, 0.5, 2.0])
    eps = 1e-3
    (g,) = numerical_grad(lambda a: (a * a * a).sum(), x, eps=eps)
    expected = 3 * x * x + eps * eps
    record_property("worst_rel_error", float(relative_error(g, expected).max()))
    np.testing.assert_allclose(g, expected, rtol=1e-8, atol=1e-9)


@pytest.mark.task1_5
def test_numerical_grad_leaves_its_inputs_unchanged(record_property):
    x = rand(2, 3, seed=10)
    before = x.copy()
    t = minidl.tensor(x)
    numerical_grad(lambda a: (a.exp() * a).sum(), t)
    record_property("worst_rel_error", float(np.abs(t.numpy() - before).max()))
    np.testing.assert_array_equal(t.numpy(), before, err_msg="numerical_grad must restore every element it nudged")
