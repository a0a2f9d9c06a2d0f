"""audio: loading, resampling, FFT, STFT, mel, MFCC and preprocessing.

librosa's names, defaults and layouts with our own math. This package
imports ``kernels`` and never ``minidl``.
"""
from audio.fft import fft, ifft, irfft, rfft

__all__ = ["fft", "ifft", "irfft", "rfft"]
