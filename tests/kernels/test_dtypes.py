"""kernels.dtypes: one float -> complex rule for audio and kernels, the rule of numpy.fft and scipy.fft."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

import audio
from kernels import dtypes
from kernels.fft import cpu, reference

INPUTS = [np.float16, np.float32, np.float64, np.complex64, np.complex128, np.int16, np.int64, np.bool_]


@pytest.mark.parametrize("dtype", INPUTS)
def test_complex_dtype_is_what_numpy_and_scipy_fft_return(dtype):
    x = np.ones(8, dtype=dtype)
    assert np.dtype(dtypes.complex_dtype(x)) == np.fft.fft(x).dtype == scipy.fft.fft(x).dtype


@pytest.mark.parametrize("dtype", [d for d in INPUTS if not np.issubdtype(d, np.complexfloating)])
def test_real_dtype_is_the_real_part_of_what_numpy_rfft_returns(dtype):
    x = np.ones(8, dtype=dtype)
    assert np.dtype(dtypes.real_dtype(x)) == np.fft.rfft(x).real.dtype == scipy.fft.rfft(x).real.dtype


def test_dtype_likes_are_accepted_as_well_as_arrays():
    assert dtypes.complex_dtype("complex64") is np.complex64
    assert dtypes.real_dtype(np.complex128) is np.float64


@pytest.mark.parametrize("transform", [reference.fft, cpu.fft, reference.rfft, cpu.rfft, audio.fft, audio.rfft])
@pytest.mark.parametrize("n", [16, 12])  # a power of two and a Bluestein length
def test_float16_transforms_in_single_precision_everywhere(transform, n):
    x = np.random.default_rng(0).standard_normal(n).astype(np.float16)
    out = transform(x)
    expected = (np.fft.rfft if transform in (reference.rfft, cpu.rfft, audio.rfft) else np.fft.fft)(x)
    assert out.dtype == expected.dtype == np.complex64
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_audio_and_kernels_share_the_one_rule():
    assert reference.complex_dtype is dtypes.complex_dtype
    assert audio.validate.float_dtype_of(np.ones(2, np.float16)) is np.float32
