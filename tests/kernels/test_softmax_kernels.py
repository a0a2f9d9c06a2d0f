"""kernels.softmax: the reference against scipy's log_softmax, and the Numba kernels against the reference."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.softmax import reference

cpu = pytest.importorskip("kernels.softmax.cpu", reason="numba is not installed")
TOLERANCE = {np.float32: dict(rtol=2e-6, atol=2e-6), np.float64: dict(rtol=1e-13, atol=1e-13)}


@st.composite
def problems(draw, dtype):
    """Logits [M, C] (M >= 0, C >= 1) at a drawn scale, targets, upstream gradients."""
    M, C = draw(st.integers(0, 40)), draw(st.integers(1, 70))
    scale = draw(st.sampled_from([1e-3, 1.0, 30.0, 300.0]))  # x300: most rows are one-hot in float32
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    z = (rng.standard_normal((M, C)) * scale).astype(dtype)
    return z, rng.integers(0, C, M), rng.standard_normal(M).astype(dtype)


def assert_kernel_equals_reference(module, problem, dtype):
    z, target, grad = problem
    expected, got = reference.softmax_cross_entropy(z, target), module.softmax_cross_entropy(z, target)
    for name, e, g in zip(("losses", "exp_shifted", "total"), expected, got):
        assert g.dtype == dtype, name
        np.testing.assert_allclose(g, e, err_msg=name, **TOLERANCE[dtype])
    dz = module.softmax_cross_entropy_backward(*got[1:], target, grad)
    np.testing.assert_allclose(dz, reference.softmax_cross_entropy_backward(*expected[1:], target, grad),
                               **TOLERANCE[dtype])


def test_reference_equals_scipy_log_softmax_and_its_gradient():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(0)
    z, target, grad = rng.standard_normal((7, 5)) * 4, rng.integers(0, 5, 7), rng.standard_normal(7)
    losses, exp_shifted, total = reference.softmax_cross_entropy(z, target)
    log_p = special.log_softmax(z, axis=1)
    np.testing.assert_allclose(losses, -log_p[np.arange(7), target], rtol=1e-14, atol=1e-14)
    dz = reference.softmax_cross_entropy_backward(exp_shifted, total, target, grad)
    expected = (np.exp(log_p) - np.eye(5)[target]) * grad[:, None]
    np.testing.assert_allclose(dz, expected, rtol=1e-14, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_numba_kernels_equal_reference(data, dtype):
    assert_kernel_equals_reference(cpu, data.draw(problems(dtype)), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_kernels_at_benchmark_size_on_every_thread(dtype):
    rng = np.random.default_rng(1)  # 4096 x 100 is above kernels.threads.SMALL_WORK: the parallel path
    problem = (rng.standard_normal((4096, 100)).astype(dtype) * 5, rng.integers(0, 100, 4096),
               rng.standard_normal(4096).astype(dtype))
    assert_kernel_equals_reference(cpu, problem, dtype)


@pytest.mark.parametrize("module", [reference, cpu], ids=["reference", "numba"])
def test_nan_and_infinite_logits(module):
    z = np.zeros((4, 3))
    z[0, 1] = np.nan  # NaN anywhere in a row: a NaN loss, as NumPy's max would give
    z[1, 2] = np.inf  # +inf - max = inf - inf: NaN
    z[2, :2] = -np.inf  # -inf is a probability of 0: fine elsewhere in the row...
    z[3, 0] = -np.inf  # ...and an infinite loss at the target
    with np.errstate(invalid="ignore"):  # the reference's inf - inf
        losses, _, _ = module.softmax_cross_entropy(z, np.array([0, 0, 2, 0]))
    assert np.isnan(losses[0]) and np.isnan(losses[1])
    assert losses[2] == 0.0  # the only class left has probability 1
    assert losses[3] == np.inf


@pytest.mark.parametrize("module", [reference, cpu], ids=["reference", "numba"])
def test_logits_without_classes_and_targets_that_are_not_classes_are_refused(module):
    with pytest.raises(ValueError, match=r"C >= 1, got shape \(3, 0\)"):
        module.softmax_cross_entropy(np.zeros((3, 0)), np.zeros(3, dtype=np.int64))
    z = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"target 3 is not a class of 3 \(0 to 2\)"):
        module.softmax_cross_entropy(z, np.array([3, 0]))  # unchecked, the kernel would read the next row
    with pytest.raises(ValueError, match=r"target -1 is not a class of 3"):
        module.softmax_cross_entropy_backward(np.ones((2, 3)), np.full(2, 3.0), np.array([0, -1]), np.ones(2))
    with pytest.raises(ValueError, match=r"one target per row: 2 rows, targets of shape \(3,\)"):
        module.softmax_cross_entropy(z, np.array([0, 1, 2]))


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gpu_module_equals_reference(dtype):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    from kernels.softmax import gpu

    rng = np.random.default_rng(2)
    z, target, grad = rng.standard_normal((300, 29)).astype(dtype), rng.integers(0, 29, 300), rng.standard_normal(300)
    expected = reference.softmax_cross_entropy(z, target)
    got = gpu.softmax_cross_entropy(cupy.asarray(z), cupy.asarray(target))
    for e, g in zip(expected, got):
        np.testing.assert_allclose(cupy.asnumpy(g), e, **TOLERANCE[dtype])
    dz = gpu.softmax_cross_entropy_backward(*got[1:], cupy.asarray(target), cupy.asarray(grad.astype(dtype)))
    np.testing.assert_allclose(cupy.asnumpy(dz), reference.softmax_cross_entropy_backward(
        *expected[1:], target, grad.astype(dtype)), **TOLERANCE[dtype])
