"""delta against librosa.feature.delta (float64, <= 1e-8 of scale)."""
from __future__ import annotations

import numpy as np
import pytest

import audio
import kernels
from audio.errors import ParameterError
from tests.helpers import relative_error


@pytest.mark.librosa
@pytest.mark.parametrize("backend", [b for b in ("numpy", "numba") if b in kernels.available()])
def test_delta_equals_librosa(backend):
    librosa = pytest.importorskip("librosa")
    features = audio.mfcc(y=np.random.default_rng(0).standard_normal(8000), sr=8000, n_mfcc=13)  # [13, 16]
    with kernels.use(backend):
        for width in (3, 5, 9, 15):
            for order in (1, 2):
                for axis in (-1, 0):
                    if width > features.shape[axis]:
                        continue
                    ours = audio.delta(features, width=width, order=order, axis=axis)
                    theirs = librosa.feature.delta(features, width=width, order=order, axis=axis)
                    assert relative_error(ours, theirs) <= 1e-8, (width, order, axis)


def test_delta_of_a_quadratic_is_its_derivative():
    t = np.arange(20.0)
    f = 3 * t ** 2 + t
    d = audio.delta(f, width=5, order=1)
    assert np.allclose(d[2:-2], (6 * t + 1)[2:-2], atol=1e-9)  # a centred line fit has the exact slope
    # edges: the slope of the line fitted to the first (last) 5 frames
    assert np.allclose(d[:2], np.polyfit(t[:5], f[:5], 1)[0], atol=1e-9)
    assert np.allclose(d[-2:], np.polyfit(t[-5:], f[-5:], 1)[0], atol=1e-9)
    assert np.allclose(audio.delta(3 * t ** 2, width=5, order=2), 6.0, atol=1e-9)


@pytest.mark.parametrize("kwargs,match", [
    (dict(width=4), "width must be an odd integer >= 3, got 4"),
    (dict(width=1), "width must be an odd integer >= 3, got 1"),
    (dict(order=0), "order must be a positive integer, got 0"),
    (dict(width=11), r"width=11 cannot exceed data.shape\[axis\]=10"),
    (dict(axis=3), "axis=3 is out of range"),
])
def test_delta_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        audio.delta(np.ones((2, 10)), **kwargs)
