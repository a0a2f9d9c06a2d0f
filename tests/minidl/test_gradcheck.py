"""gradcheck itself: it passes on every op and catches a wrong backward."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl.gradcheck import relative_error

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
POS = rng.uniform(0.5, 2.0, (3, 4))
B = rng.standard_normal((4, 2))

OPS = {
    "add": (lambda a, b: a + b, A, rng.standard_normal((1, 4))),
    "sub": (lambda a, b: a - b, A, rng.standard_normal(4)),
    "mul": (lambda a, b: a * b, A, rng.standard_normal((3, 1))),
    "div": (lambda a, b: a / b, A, POS),
    "pow": (lambda a, b: a**b, POS, A),
    "neg": (lambda a: -a, A),
    "matmul": (lambda a, b: a @ b, A, B),
    "batched_matmul": (lambda a, b: a @ b, rng.standard_normal((2, 3, 4)), B),
    "sum": (lambda a: a.sum(axis=1), A),
    "mean": (lambda a: a.mean(axis=(0, 1), keepdims=True), A),
    "max": (lambda a: a.max(axis=0), A),
    "min": (lambda a: a.min(), A),
    "reshape": (lambda a: a.reshape(2, 6), A),
    "permute": (lambda a: a.permute(1, 0), A),
    "getitem": (lambda a: a[np.array([0, 0, 2]), 1:3], A),
    "concat": (lambda a, b: minidl.concat([a, b], axis=0), A, POS),
    "stack": (lambda a, b: minidl.stack([a, b], axis=1), A, POS),
    "where": (lambda a, b: minidl.where(A > 0, a, b), A, POS),
    "exp": (lambda a: a.exp(), A),
    "log": (lambda a: a.log(), POS),
    "sqrt": (lambda a: a.sqrt(), POS),
    "abs": (lambda a: a.abs(), A),
    "clip": (lambda a: a.clip(-0.5, 0.5), A),
    "tanh": (lambda a: a.tanh(), A),
    "sigmoid": (lambda a: a.sigmoid(), A),
    "relu": (lambda a: a.relu(), A),
    "softmax": (lambda a: a.softmax(axis=0), A),
    "log_softmax": (lambda a: a.log_softmax(axis=-1), A),
    "cross_entropy": (lambda a: minidl.nn.cross_entropy(a, [0, 3, 1]), A),
    "bce_with_logits": (lambda a: minidl.nn.binary_cross_entropy_with_logits(a, (A > 0) * 1.0), A),
    "mse": (lambda a, b: minidl.nn.mse_loss(a, b), A, POS),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_gradcheck_passes_on_every_op(name):
    fn, *inputs = OPS[name]
    report = minidl.gradcheck(fn, *inputs)
    assert report, str(report)


class WrongMul(minidl.Function):
    """x * y with a planted bug: the gradient of y is off at one element."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, grad):
        grad_y = grad * self.x
        grad_y[1, 2] *= 1.5  # the planted bug
        return grad * self.y, grad_y


def test_gradcheck_points_at_the_wrong_input_and_index():
    report = minidl.gradcheck(lambda x, y: WrongMul.apply(x, y), A, A + 1.0)
    assert not report
    assert report.inputs[0].passed, "input 0 has a correct gradient"
    assert not report.inputs[1].passed
    assert report.inputs[1].worst_index == (1, 2)
    assert report.worst().position == 1
    assert "fails" in str(report)


def test_numerical_grad_matches_calculus():
    x = np.array([0.3, -1.0, 2.0])
    (g,) = minidl.numerical_grad(lambda t: (t * t * t).sum(), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8, atol=0)
    g_sin, g_w = minidl.numerical_grad(lambda t, w: (t.tanh() * w).sum(), x, np.ones(3) * 2.0)
    np.testing.assert_allclose(g_sin, 2.0 / np.cosh(x) ** 2, rtol=1e-8)
    np.testing.assert_allclose(g_w, np.tanh(x), rtol=1e-8)


def test_relative_error_is_cs231n_form():
    np.testing.assert_allclose(relative_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])), [0.5, 0.0])


def test_gradcheck_runs_in_float64_and_rejects_non_tensor_output():
    seen = []

    def fn(x):
        seen.append(x.dtype)
        return x * 2.0

    minidl.gradcheck(fn, np.ones(2, dtype=np.float32))
    assert set(seen) == {np.dtype(np.float64)}
    with pytest.raises(TypeError, match="must return a Tensor"):
        minidl.gradcheck(lambda x: 3.0, np.ones(2))
