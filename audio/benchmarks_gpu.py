"""``minidl bench`` GPU rows for audio (only where CuPy has a CUDA device).

Each GPU call ends with a device synchronize, so a row times the work, not
the launch. References in the same run: cuFFT (``cupy.fft``) for our
Stockham FFT, torchaudio's ``MFCC`` on the same GPU, and our own CPU path.
"""
from __future__ import annotations

import numpy as np

import audio
from audio.benchmarks import FRAMES, N_FFT, SECONDS, SR
from kernels import cuda
from kernels.bench import Row
from kernels.cuda import synchronized


def fft_row() -> Row:
    """Batched 2048-point complex FFTs, ours against cuFFT (goal: within 2x)."""
    cupy = cuda.cupy()
    rng = np.random.default_rng(0)
    x = cupy.asarray((rng.standard_normal((FRAMES, N_FFT)) + 1j * rng.standard_normal((FRAMES, N_FFT)))
                     .astype(np.complex64))
    return Row(f"GPU fft {FRAMES}x{N_FFT} complex64", synchronized(lambda: audio.fft(x)),
               synchronized(lambda: cupy.fft.fft(x)), f"cuFFT (cupy {cupy.__version__})", goal=2.0)


def mfcc_rows() -> list[Row]:
    """MFCC of 60 s at 22050 Hz (librosa's defaults, n_mfcc=40, float32) on the GPU,
    against torchaudio's MFCC on the same GPU (goal: no slower) and against our CPU path."""
    y = np.random.default_rng(1).standard_normal(SR * SECONDS).astype(np.float32)
    y_gpu = cuda.on_device(y)
    ours = synchronized(lambda: audio.mfcc(y=y_gpu, sr=SR, n_mfcc=40))
    name = f"GPU mfcc {SECONDS}s@{SR} n_mfcc=40 float32"
    try:
        import torch
        import torchaudio
    except ImportError:
        reference, label = None, "torchaudio (not installed)"
    else:
        transform = torchaudio.transforms.MFCC(
            sample_rate=SR, n_mfcc=40, norm="ortho", log_mels=False,
            melkwargs=dict(n_fft=2048, hop_length=512, n_mels=128, center=True, pad_mode="constant",
                           power=2.0, norm="slaney", mel_scale="slaney")).cuda()
        y_torch = torch.from_numpy(y).cuda()

        def reference():
            transform(y_torch)
            torch.cuda.synchronize()

        label = f"torchaudio {torchaudio.__version__}"
    return [Row(name, ours, reference, label, goal=1.0),
            Row(name + " vs our CPU", ours, lambda: audio.mfcc(y=y, sr=SR, n_mfcc=40), "minidl on the CPU")]


def rows() -> list[Row]:
    return [fft_row()] + mfcc_rows()
