"""``minidl bench`` rows for audio, each against its reference in the same run."""
from __future__ import annotations

import numpy as np

import audio
from kernels.bench import Row

# 60 s at 22050 Hz framed with librosa's defaults (n_fft=2048, hop 512, centered)
SR, SECONDS = 22050, 60
FRAMES, N_FFT = 2584, 2048


def rfft_row(dtype) -> Row:
    frames = np.random.default_rng(0).standard_normal((FRAMES, N_FFT)).astype(dtype)
    try:
        import scipy
        import scipy.fft
    except ImportError:
        reference, name = None, "scipy (not installed)"
    else:
        def reference():
            scipy.fft.rfft(frames, axis=-1)

        name = f"scipy.fft {scipy.__version__}"
    return Row(f"rfft {FRAMES}x{N_FFT} {np.dtype(dtype).name}", lambda: audio.rfft(frames), reference, name, goal=1.5)


def mfcc_row() -> Row:
    """MFCC of 60 s at 22050 Hz, librosa's defaults, n_mfcc=40, float32; checked to agree first."""
    y = np.random.default_rng(1).standard_normal(SR * SECONDS).astype(np.float32)
    try:
        import librosa
    except ImportError:
        reference, name = None, "librosa (not installed)"
    else:
        expected = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=40)
        ours = audio.mfcc(y=y, sr=SR, n_mfcc=40)
        error = np.abs(ours - expected).max() / np.abs(expected).max()
        if not error <= 1e-4:
            raise AssertionError(f"mfcc disagrees with librosa before timing: {error:.2e} of the largest magnitude")

        def reference():
            librosa.feature.mfcc(y=y, sr=SR, n_mfcc=40)

        name = f"librosa {librosa.__version__}"
    # goal: our time at most 1/3 of librosa's
    return Row(f"mfcc {SECONDS}s@{SR} n_mfcc=40 float32", lambda: audio.mfcc(y=y, sr=SR, n_mfcc=40),
               reference, name, goal=1 / 3)


def rows() -> list[Row]:
    return [rfft_row(np.float32), rfft_row(np.float64), mfcc_row()]
