"""stft and istft against librosa, over a grid of framing parameters.

Tolerance: max abs error <= 1e-8 relative to the data's scale (float64).
Shapes (frame counts) must equal librosa's in every case.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import audio
import kernels
from audio.errors import ParameterError
from audio.stft import PAD_MODES
from tests.helpers import fsdd_clip, relative_error

TOL = 1e-8
GRID = [  # n_fft, hop_length, win_length
    (512, None, None), (400, 160, None), (511, 128, 300), (256, 100, 200), (1000, 250, 999), (97, 31, None),
]


def signals():
    rng = np.random.default_rng(0)
    speech, _ = fsdd_clip("3_jackson_0.wav")
    t = np.arange(3001) / 8000
    return {"fsdd": speech, "chirp": np.sin(2 * np.pi * (200 + 900 * t) * t), "noise": rng.standard_normal(1777),
            "short": rng.standard_normal(70)}


def librosa_tail_quirk(n, n_fft, hop, center, pad_mode):
    """True where librosa's split padding reflects a tail segment too short to reflect once.

    librosa pads the head and the tail separately; for reflect padding, when
    the last frame's segment is not longer than n_fft // 2, np.pad reflects
    it twice and librosa's last frame no longer equals the definition
    (pad the whole signal, then frame). We follow the definition there.
    """
    if not center or pad_mode != "reflect":
        return False
    tail_k = (n + n_fft // 2 - n_fft) // hop + 1
    start_k = int(np.ceil(n_fft // 2 / hop))
    return tail_k > start_k and n - (tail_k * hop - n_fft // 2) <= n_fft // 2


@pytest.mark.librosa
def test_stft_and_istft_equal_librosa_over_grid():
    librosa = pytest.importorskip("librosa")
    failures, checked = [], 0
    for name, y in signals().items():
        for n_fft, hop, win in GRID:
            for center in (True, False):
                for pad_mode in PAD_MODES if center else ("constant",):
                    if not center and n_fft > y.size:
                        continue
                    kw = dict(n_fft=n_fft, hop_length=hop, win_length=win, center=center)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")  # n_fft longer than "short"
                        ours = audio.stft(y, pad_mode=pad_mode, **kw)
                        theirs = librosa.stft(y, pad_mode=pad_mode, **kw)
                    if ours.shape != theirs.shape:
                        failures.append((name, kw, pad_mode, ours.shape, theirs.shape))
                        continue
                    hop_ = hop or (win or n_fft) // 4
                    if librosa_tail_quirk(y.size, n_fft, hop_, center, pad_mode):
                        ours, theirs = ours[..., :-1], theirs[..., :-1]
                    if relative_error(ours, theirs) > TOL:
                        failures.append((name, kw, pad_mode, "stft", relative_error(ours, theirs)))
                    if pad_mode == "constant":  # the inverse does not depend on pad_mode
                        for length in (None, y.size):
                            yi = audio.istft(ours, length=length, **kw)
                            ri = librosa.istft(theirs, length=length, **kw)
                            if yi.shape != ri.shape or relative_error(yi, ri) > TOL:
                                failures.append((name, kw, "istft", length, yi.shape, ri.shape))
                    checked += 1
    assert checked > 80 and not failures, failures


def test_stft_is_the_definition_where_librosa_quirks():
    """Frame t of a reflect-padded signal is rfft(window * padded[t*hop : t*hop + n_fft])."""
    y = np.random.default_rng(1).standard_normal(2048)
    D = audio.stft(y, n_fft=256, hop_length=128, pad_mode="reflect")
    padded = np.pad(y, 128, mode="reflect")
    w = audio.get_window("hann", 256)
    last = np.fft.rfft(w * padded[16 * 128:16 * 128 + 256])
    assert np.abs(D[:, 16] - last).max() <= 1e-12 * np.abs(last).max()


@pytest.mark.parametrize("backend", [b for b in ("numpy", "numba") if b in kernels.available()])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_istft_inverts_stft_on_every_backend(backend, dtype, tol):
    y = np.random.default_rng(2).standard_normal((2, 3, 5000)).astype(dtype)
    with kernels.use(backend):
        D = audio.stft(y, n_fft=512, hop_length=128)
        assert D.shape == (2, 3, 257, 40) and D.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
        back = audio.istft(D, hop_length=128, length=5000)
    assert back.dtype == dtype and back.shape == y.shape
    assert np.abs(back - y).max() <= tol * np.abs(y).max()


def test_too_long_frame_warns_when_centred_and_fails_when_not():
    with pytest.warns(UserWarning, match="n_fft=512 is too large for input signal of length=100"):
        assert audio.stft(np.ones(100), n_fft=512).shape == (257, 1)
    with pytest.raises(ParameterError, match="n_fft=512 is too large for uncentered analysis"):
        audio.stft(np.ones(100), n_fft=512, center=False)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n_fft=0), "n_fft must be a positive integer, got 0"),
    (dict(n_fft=256, win_length=300), "win_length=300 must be at most n_fft=256"),
    (dict(hop_length=-2), "hop_length must be a positive integer, got -2"),
    (dict(pad_mode="wrap"), "pad_mode must be one of"),
    (dict(window="nope"), "unknown window 'nope'"),
])
def test_stft_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        audio.stft(np.ones(4096), **kwargs)


@pytest.mark.parametrize("y,match", [
    (np.array([0.0, np.nan, 1.0]), r"y must be finite everywhere, got nan at index \(1,\)"),
    (np.zeros(0), "at least 1 sample"),
    (np.ones(10) * 1j, "y must be real"),
    (np.array(["a"]), "y must hold numbers"),
])
def test_stft_bad_signals(y, match):
    with pytest.raises(ParameterError, match=match):
        audio.stft(y, n_fft=4)


def test_istft_bad_input():
    D = audio.stft(np.ones(1000), n_fft=256)
    with pytest.raises(ParameterError, match="129 frequency bins, expected 1 \\+ n_fft//2 = 257"):
        audio.istft(D, n_fft=512)
    with pytest.raises(ParameterError, match="length must be a non-negative integer"):
        audio.istft(D, length=-3)
    with pytest.raises(ParameterError, match="at least 2 axis"):
        audio.istft(D[:, 0])
