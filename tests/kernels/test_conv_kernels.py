"""Convolution kernels: Numba and CUDA against the NumPy reference, float32 and float64.

Problems (shapes, strides, paddings, dilations, groups) are drawn by
Hypothesis, always with at least one output frame; the reference itself
is compared with PyTorch in tests/minidl/test_conv_vs_torch.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.conv import output_length, pool, reference
from tests.helpers import assert_close_scaled

TOL = {np.float64: 1e-12, np.float32: 2e-5}  # scaled error: max |ours - ref| / max(1, max |ref|)


@st.composite
def problems(draw, dtype=np.float64):
    """(x, weight, bias, stride, padding, dilation, groups, grad_out) of one valid convolution."""
    groups = draw(st.integers(1, 3))
    C_in, C_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    K, stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    shortest = max(1, dilation * (K - 1) + 1 - sum(padding))  # the padded input holds the kernel
    L, N = draw(st.integers(shortest, shortest + 8)), draw(st.integers(0, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    L_out = output_length(L, K, stride=stride, padding=padding, dilation=dilation)
    x = rng.standard_normal((N, C_in, L)).astype(dtype)
    weight = rng.standard_normal((C_out, C_in // groups, K)).astype(dtype)
    bias = rng.standard_normal(C_out).astype(dtype) if draw(st.booleans()) else None
    grad_out = rng.standard_normal((N, C_out, L_out)).astype(dtype)
    return x, weight, bias, stride, padding, dilation, groups, grad_out


def assert_kernel_equals_reference(module, problem, dtype, to_device=np.asarray):
    x, weight, bias, stride, padding, dilation, groups, grad_out = problem
    options = (stride, padding, dilation, groups)
    dev = [None if a is None else to_device(a) for a in (x, weight, bias, grad_out)]
    checks = {
        "forward": (module.conv1d_forward(dev[0], dev[1], dev[2], *options),
                    reference.conv1d_forward(x, weight, bias, *options)),
        "input gradient": (module.conv1d_backward_input(dev[3], dev[1], x.shape[2], *options),
                           reference.conv1d_backward_input(grad_out, weight, x.shape[2], *options)),
        "weight gradient": (module.conv1d_backward_weight(dev[3], dev[0], weight.shape[2], *options),
                            reference.conv1d_backward_weight(grad_out, x, weight.shape[2], *options)),
    }
    for what, (ours, ref) in checks.items():
        ours = ours.get() if hasattr(ours, "get") else ours
        assert ours.dtype == ref.dtype == dtype, f"{what}: dtype {ours.dtype}"
        assert_close_scaled(ours, ref, TOL[dtype], what)


def test_reference_is_the_sum_it_is():
    # y[n, o, t] = b[o] + sum_c sum_k w[o, c, k] x_pad[n, c, t s + k d], one element at a time
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    s, (pl, pr), d, G = 2, (1, 2), 2, 2
    y = reference.conv1d_forward(x, w, b, s, (pl, pr), d, G)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pl, pr)))
    for n, o, t in np.ndindex(*y.shape):
        g = o // 3
        expected = b[o] + sum(w[o, c, k] * x_pad[n, g * 2 + c, t * s + k * d] for c in range(2) for k in range(3))
        assert abs(y[n, o, t] - expected) < 1e-12


cpu = pytest.importorskip("kernels.conv.cpu", reason="numba is not installed")


@settings(max_examples=25)
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_numba_kernels_equal_reference(data, dtype):
    assert_kernel_equals_reference(cpu, data.draw(problems(dtype)), dtype)


def test_numba_kernels_at_benchmark_size():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((4, 64, 200)), rng.standard_normal((64, 64, 5))
    problem = (x, w, rng.standard_normal(64), 1, (2, 2), 1, 1, rng.standard_normal((4, 64, 200)))
    assert_kernel_equals_reference(cpu, problem, np.float64)


@pytest.mark.gpu
@settings(max_examples=25)
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_gpu_kernels_equal_reference(data, dtype):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    from kernels.conv import gpu

    assert_kernel_equals_reference(gpu, data.draw(problems(dtype)), dtype, cupy.asarray)


@pytest.mark.gpu
def test_gpu_kernels_at_benchmark_size():
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    from kernels.conv import gpu

    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((32, 64, 200)), rng.standard_normal((64, 64, 5))
    problem = (x, w, rng.standard_normal(64), 1, (2, 2), 1, 1, rng.standard_normal((32, 64, 200)))
    assert_kernel_equals_reference(gpu, problem, np.float64, cupy.asarray)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gpu_pooling_equals_numpy_pooling(dtype):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    rng = np.random.default_rng(4)
    x, grad = rng.standard_normal((3, 4, 17)).astype(dtype), rng.standard_normal((3, 4, 8)).astype(dtype)
    y, where = pool.max_pool1d_forward(x, 3, 2, 1)
    y_gpu, where_gpu = pool.max_pool1d_forward(cupy.asarray(x), 3, 2, 1)
    assert_close_scaled(y_gpu.get(), y, 0, "max pool")
    assert_close_scaled(pool.max_pool1d_backward(cupy.asarray(grad), where_gpu, 17, 3, 2, 1).get(),
                        pool.max_pool1d_backward(grad, where, 17, 3, 2, 1), TOL[dtype], "max pool gradient")
    for include in (True, False):
        assert_close_scaled(pool.avg_pool1d_forward(cupy.asarray(x), 3, 2, 1, include).get(),
                            pool.avg_pool1d_forward(x, 3, 2, 1, include), TOL[dtype], "avg pool")
        assert_close_scaled(pool.avg_pool1d_backward(cupy.asarray(grad), 17, 3, 2, 1, include).get(),
                            pool.avg_pool1d_backward(grad, 17, 3, 2, 1, include), TOL[dtype], "avg pool gradient")
