"""The Numba FFT against the NumPy reference over Hypothesis-drawn shapes.

Edge cases included: n = 1, prime n, odd n, empty batches.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.fft import reference

cpu = pytest.importorskip("kernels.fft.cpu", reason="numba is not installed")

TOL = {np.float64: 1e-12, np.float32: 2e-5}


@st.composite
def signals(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n = draw(st.one_of(st.integers(1, 70), st.sampled_from([128, 256, 509, 1024, 2048, 3001])))
    rows = draw(st.integers(0, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    return dtype, rng.standard_normal((rows, n)).astype(dtype), rng.standard_normal((rows, n)).astype(dtype)


def mismatch(ours, ref, dtype, what):
    """None when ours equals ref within tolerance, else what differs."""
    if ours.shape != ref.shape or ours.dtype != ref.dtype:
        return f"{what}: {ours.shape} {ours.dtype} vs {ref.shape} {ref.dtype}"
    if ref.size:
        err = np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-30)
        if not err <= TOL[dtype] * max(1, np.log2(ref.shape[-1] + 1)):
            return f"{what}: scaled error {err:.2e}"
    return None


@given(sig=signals())
def test_numba_fft_equals_reference(sig):
    dtype, re, im = sig
    z = re + 1j * im.astype(dtype)
    R = reference.rfft(re)
    n = re.shape[-1]
    problems = [
        mismatch(cpu.fft(z), reference.fft(z), dtype, "fft"),
        mismatch(cpu.ifft(z), reference.ifft(z), dtype, "ifft"),
        mismatch(cpu.rfft(re), R, dtype, "rfft"),
        mismatch(cpu.irfft(R, n), reference.irfft(R, n), dtype, "irfft"),
    ]
    assert not any(problems), [p for p in problems if p]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [1, cpu.RFFT_BLOCK - 1, cpu.RFFT_BLOCK, cpu.RFFT_BLOCK + 1, 3 * cpu.RFFT_BLOCK + 5])
@pytest.mark.parametrize("n", [2, 4, 8, 64, 2048])
def test_blocked_rfft_across_block_boundaries(dtype, rows, n):
    """Power-of-two rfft transforms RFFT_BLOCK rows at once: full, partial and single blocks must all be right."""
    x = np.random.default_rng(rows * n).standard_normal((rows, n)).astype(dtype)
    problem = mismatch(cpu.rfft(x), reference.rfft(x), dtype, f"rfft of {rows} x {n}")
    assert problem is None, problem
