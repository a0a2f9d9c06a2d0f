"""get_window against scipy.signal.get_window; pad_center and fix_length."""
from __future__ import annotations

import numpy as np
import pytest

from audio import fix_length, get_window, pad_center
from audio.errors import ParameterError

SPECS = ["hann", "hamming", "blackman", "boxcar", "triang", "bartlett", ("kaiser", 8.6), ("gaussian", 7.0), 4.0]


@pytest.mark.parametrize("spec", SPECS, ids=str)
@pytest.mark.parametrize("fftbins", [True, False])
def test_windows_equal_scipy(spec, fftbins):
    signal = pytest.importorskip("scipy.signal")
    for n in (1, 2, 3, 16, 17, 400, 2048):
        ours = get_window(spec, n, fftbins=fftbins)
        theirs = signal.get_window(spec, n, fftbins=fftbins)
        assert ours.shape == (n,)
        assert np.abs(ours - theirs).max() <= 1e-14, (spec, n)


def test_window_callable_and_array():
    assert np.array_equal(get_window(np.ones, 5), np.ones(5))
    w = np.arange(4.0)
    assert np.array_equal(get_window(w, 4), w)
    with pytest.raises(ParameterError, match=r"shape \(4,\), expected \(5,\)"):
        get_window(w, 5)


@pytest.mark.parametrize("bad,match", [("nope", "unknown window 'nope'"), ("kaiser", "needs a parameter"),
                                       (("gaussian", -1.0), "positive number"), (None, "unknown window")])
def test_bad_windows_are_named(bad, match):
    with pytest.raises(ParameterError, match=match):
        get_window(bad, 8)


def test_window_length_must_be_positive():
    with pytest.raises(ParameterError, match="n must be a positive integer, got 0"):
        get_window("hann", 0)


def test_pad_center_and_fix_length():
    assert pad_center(np.ones(2), size=5).tolist() == [0, 1, 1, 0, 0]
    with pytest.raises(ParameterError, match="cannot pad an array of length 3 to the shorter size=2"):
        pad_center(np.ones(3), size=2)
    x = np.arange(6).reshape(2, 3)
    assert fix_length(x, size=2).tolist() == [[0, 1], [3, 4]]
    assert fix_length(x, size=2, axis=0).shape == (2, 3)
    assert fix_length(x, size=4, mode="edge").tolist() == [[0, 1, 2, 2], [3, 4, 5, 5]]
    with pytest.raises(ParameterError, match="size must be a non-negative integer, got -1"):
        fix_length(x, size=-1)
