"""Numba gate kernels against the NumPy reference, float32 and float64.

Shapes come from Hypothesis, including the edge cases: one row, one
hidden unit, an empty batch. Values span the saturated regions of the
activations (|a| up to 12) where a careless sigmoid overflows.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.recurrent import reference

cpu = pytest.importorskip("kernels.recurrent.cpu", reason="numba is not installed")

TOL = {np.float64: 1e-12, np.float32: 2e-6}


@st.composite
def case(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    batch = draw(st.integers(0, 6))
    hidden = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.sampled_from([0.5, 3.0, 12.0]))
    rng = np.random.default_rng(seed)

    def arr(width):
        return (rng.standard_normal((batch, width)) * scale).astype(dtype)

    return dtype, hidden, arr


def assert_same(ours, ref, dtype, what):
    assert ours.dtype == ref.dtype == dtype, f"{what}: dtype {ours.dtype} vs {ref.dtype}"
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} vs {ref.shape}"
    if ref.size:
        err = np.max(np.abs(ours.astype(np.float64) - ref)) / max(1.0, np.max(np.abs(ref)))
        assert err <= TOL[dtype], f"{what}: scaled error {err:.2e}"


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@given(c=case())
def test_rnn_kernels(nonlinearity, c):
    dtype, H, arr = c
    gx, gh, dh = arr(H), arr(H), arr(H)
    h = cpu.rnn_forward(gx, gh, nonlinearity)
    assert_same(h, reference.rnn_forward(gx, gh, nonlinearity), dtype, "h")
    assert_same(cpu.rnn_backward(dh, h, nonlinearity), reference.rnn_backward(dh, h, nonlinearity), dtype, "d_pre")


@given(c=case())
def test_lstm_kernels(c):
    dtype, H, arr = c
    gx, gh, c_prev, dh, dc = arr(4 * H), arr(4 * H), arr(H), arr(H), arr(H)
    ours, ref = cpu.lstm_forward(gx, gh, c_prev), reference.lstm_forward(gx, gh, c_prev)
    for name, a, b in zip(["h", "c", "gates", "tanh_c"], ours, ref):
        assert_same(a, b, dtype, name)
    _, _, gates, tanh_c = ref
    ours_b = cpu.lstm_backward(dh, dc, gates, c_prev, tanh_c)
    ref_b = reference.lstm_backward(dh, dc, gates, c_prev, tanh_c)
    for name, a, b in zip(["d_a", "dc_prev"], ours_b, ref_b):
        assert_same(a, b, dtype, name)


@given(c=case())
def test_gru_kernels(c):
    dtype, H, arr = c
    gx, gh, h_prev, dh = arr(3 * H), arr(3 * H), arr(H), arr(H)
    ours, ref = cpu.gru_forward(gx, gh, h_prev), reference.gru_forward(gx, gh, h_prev)
    for name, a, b in zip(["h", "cache"], ours, ref):
        assert_same(a, b, dtype, name)
    ours_b, ref_b = cpu.gru_backward(dh, ref[1], h_prev), reference.gru_backward(dh, ref[1], h_prev)
    for name, a, b in zip(["d_gx", "d_gh", "dh_prev"], ours_b, ref_b):
        assert_same(a, b, dtype, name)


def test_reference_gates_match_textbook_formulas():
    """The reference itself against a direct transcription of the equations (float64)."""
    rng = np.random.default_rng(0)
    H = 3
    gx, gh, c_prev = rng.standard_normal((2, 4 * H)), rng.standard_normal((2, 4 * H)), rng.standard_normal((2, H))
    a = gx + gh
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = sig(a[:, :H]), sig(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sig(a[:, 3 * H:])
    c = f * c_prev + i * g
    h, c_ref, _, _ = reference.lstm_forward(gx, gh, c_prev)
    np.testing.assert_allclose(c_ref, c, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(h, o * np.tanh(c), rtol=1e-14, atol=1e-15)
