"""Every autograd op against PyTorch: forward values and gradients, float64.

Shapes (broadcasting included) are drawn by Hypothesis; the upstream
gradient is random, so every element of every gradient is exercised.
Tolerance: max abs error <= 1e-10 relative to the data's scale.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minidl
from tests.helpers import assert_close_scaled

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TOL = 1e-10


def values(shape, low=-3.0, high=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_subnormal=False))


def check_against_torch(ours_fn, torch_fn, *arrays, seed=0):
    """Run both on the same float64 inputs and one random upstream gradient."""
    xs = [minidl.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = ours_fn(*xs), torch_fn(*ts)
    assert out.shape == tuple(tout.shape), f"shape {out.shape} != torch {tuple(tout.shape)}"
    assert_close_scaled(out.numpy(), tout.detach().numpy(), TOL, "forward")
    g = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    for i, (x, t) in enumerate(zip(xs, ts)):
        assert x.grad is not None, f"no gradient reached input {i}"
        assert_close_scaled(x.grad, t.grad.numpy(), TOL, f"gradient of input {i}")


# ---------------------------------------------------------------- unary
UNARY = {
    "neg": (lambda x: -x, lambda t: -t, (-3, 3)),
    "exp": (lambda x: x.exp(), torch.exp, (-3, 3)),
    "log": (lambda x: x.log(), torch.log, (0.1, 5)),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt, (0.1, 5)),
    "abs": (lambda x: x.abs(), torch.abs, (-3, 3)),
    "clip": (lambda x: x.clip(-0.5, 1.0), lambda t: t.clamp(-0.5, 1.0), (-3, 3)),
    "clip_min_only": (lambda x: x.clip(min=0.25), lambda t: t.clamp(min=0.25), (-3, 3)),
    "tanh": (lambda x: x.tanh(), torch.tanh, (-3, 3)),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid, (-30, 30)),
    "relu": (lambda x: x.relu(), torch.relu, (-3, 3)),
    "pow_scalar": (lambda x: x**3, lambda t: t**3, (-3, 3)),
    "pow_half": (lambda x: x**0.5, lambda t: t**0.5, (0.1, 5)),
    "rpow": (lambda x: 2.0**x, lambda t: 2.0**t, (-3, 3)),
    "scalar_arith": (lambda x: (3.0 - x) / 2.0 + 1.0 * x, lambda t: (3.0 - t) / 2.0 + 1.0 * t, (-3, 3)),
    "rdiv": (lambda x: 1.0 / x, lambda t: 1.0 / t, (0.5, 3)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary(name, data):
    ours, theirs, (low, high) = UNARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5))
    check_against_torch(ours, theirs, data.draw(values(shape, low, high)))


def test_kinks_use_pytorch_subgradients():
    x = np.array([-1.0, 0.0, 1.0, -0.5, 1.0])
    check_against_torch(lambda a: a.abs() + a.relu() + a.clip(-0.5, 1.0),
                        lambda t: t.abs() + t.relu() + t.clamp(-0.5, 1.0), x)


# ---------------------------------------------------------------- binary, broadcasting
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, (-3, 3)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, (-3, 3)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, (-3, 3)),
    "div": (lambda a, b: a / b, lambda a, b: a / b, (0.5, 3)),
    "pow": (lambda a, b: a**b, lambda a, b: a**b, (0.5, 2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_broadcasting(name, data):
    ours, theirs, (low, high) = BINARY[name]
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    a, b = (data.draw(values(s, low, high)) for s in shapes.input_shapes)
    check_against_torch(ours, theirs, a, b)


@given(data=st.data())
def test_where_broadcasting(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=4))
    cond = data.draw(hnp.arrays(bool, shapes.input_shapes[0]))
    a, b = (data.draw(values(s)) for s in shapes.input_shapes[1:])
    check_against_torch(lambda x, y: minidl.where(cond, x, y),
                        lambda x, y: torch.where(torch.tensor(cond), x, y), a, b)


# ---------------------------------------------------------------- matmul
@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["mm", "batched", "vec_left", "vec_right", "dot"]))
    if kind == "dot":
        return (k,), (k,)
    if kind == "vec_left":
        return (k,), draw(st.sampled_from([(k, m), (2, k, m)]))
    if kind == "vec_right":
        return draw(st.sampled_from([(n, k), (3, n, k)])), (k,)
    if kind == "mm":
        return (n, k), (k, m)
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=3))
    sa, sb = batch.input_shapes
    return sa + (n, k), sb + (k, m)


@given(data=st.data())
def test_matmul(data):
    sa, sb = data.draw(matmul_shapes())
    check_against_torch(lambda a, b: a @ b, torch.matmul, data.draw(values(sa)), data.draw(values(sb)))


# ---------------------------------------------------------------- reductions
@st.composite
def shape_and_axis(draw, allow_none=True):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    choices = [st.integers(-len(shape), len(shape) - 1),
               st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True).map(tuple)]
    if allow_none:
        choices.append(st.none())
    return shape, draw(st.one_of(*choices))


def torch_dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
@given(data=st.data(), keepdims=st.booleans())
def test_reductions(name, data, keepdims):
    shape, axis = data.draw(shape_and_axis())
    # few distinct values, so ties happen; PyTorch's amax/amin split the gradient among them
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.5, 2.0, 0.25, 3.0])))
    torch_fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
    check_against_torch(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
                        lambda t: torch_fn(t, dim=torch_dims(axis, len(shape)), keepdim=keepdims), x)


# ---------------------------------------------------------------- softmax
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax(name, data):
    shape, axis = data.draw(shape_and_axis(allow_none=False).filter(lambda sa: isinstance(sa[1], int)))
    x = data.draw(values(shape, -50, 50))  # large logits: stability matters
    check_against_torch(lambda t: getattr(t, name)(axis), lambda t: getattr(torch, name)(t, dim=axis), x)


# ---------------------------------------------------------------- shapes and indexing
@given(data=st.data())
def test_reshape_and_permute(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    perm = data.draw(st.permutations(range(len(shape))))
    x = data.draw(values(shape))
    check_against_torch(lambda t: t.permute(*perm).reshape(-1, shape[0]) * 2.0,
                        lambda t: t.permute(*perm).reshape(-1, shape[0]) * 2.0, x)
    check_against_torch(lambda t: t.transpose(0, -1), lambda t: t.transpose(0, -1), x)


@given(data=st.data())
def test_basic_slicing(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=False, allow_ellipsis=True)
                      .filter(lambda ix: _positive_steps(ix)))
    x = data.draw(values(shape))
    check_against_torch(lambda t: t[index], lambda t: t[index], x)


def _positive_steps(index):
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


@given(data=st.data())
def test_integer_array_indexing_with_repeats(data):
    n = data.draw(st.integers(1, 5))
    x = data.draw(values((n, 3)))
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=8)))
    cols = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows))))
    check_against_torch(lambda t: t[rows], lambda t: t[torch.tensor(rows)], x)
    check_against_torch(lambda t: t[rows, cols], lambda t: t[torch.tensor(rows), torch.tensor(cols)], x)


@given(data=st.data())
def test_concat_and_stack(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axis = data.draw(st.integers(0, len(shape) - 1))
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    parts = [data.draw(values(shape[:axis] + (s,) + shape[axis + 1:])) for s in sizes]
    check_against_torch(lambda *ts: minidl.concat(ts, axis=axis), lambda *ts: torch.cat(ts, dim=axis), *parts)
    same = [data.draw(values(shape)) for _ in sizes]
    check_against_torch(lambda *ts: minidl.stack(ts, axis=axis), lambda *ts: torch.stack(ts, dim=axis), *same)


def test_reused_node_accumulates_like_torch():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    check_against_torch(lambda t: (t * t + t.exp() * t).sum(axis=0) * t[0],
                        lambda t: (t * t + t.exp() * t).sum(dim=0) * t[0], x)
