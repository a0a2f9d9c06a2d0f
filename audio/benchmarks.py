"""``minidl bench`` rows for audio, each against its reference in the same run."""
from __future__ import annotations

import numpy as np

import audio
from kernels.bench import Row

# 60 s at 22050 Hz framed with librosa's defaults (n_fft=2048, hop 512, centered)
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


def rows() -> list[Row]:
    return [rfft_row(np.float32), rfft_row(np.float64)]
