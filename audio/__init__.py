"""audio: loading, resampling, FFT, STFT, mel, MFCC and preprocessing.

librosa's names, defaults and layouts with our own math. This package
imports ``kernels`` and never ``minidl``.
"""
from audio.cepstrum import dct, mfcc
from audio.decibels import amplitude_to_db, db_to_amplitude, db_to_power, power_to_db
from audio.delta import delta
from audio.denoise import denoise
from audio.fft import fft, ifft, irfft, rfft
from audio.io import load, save
from audio.mel import fft_frequencies, hz_to_mel, mel_filterbank, mel_frequencies, mel_to_hz, melspectrogram
from audio.preprocess import deemphasis, fill_missing, normalize, preemphasis
from audio.resample import resample
from audio.stft import istft, stft
from audio.trim import rms, trim
from audio.windows import fix_length, get_window, pad_center

__all__ = [
    "deemphasis", "denoise", "fill_missing", "normalize", "preemphasis", "rms", "trim",
    "amplitude_to_db", "db_to_amplitude", "db_to_power", "dct", "delta", "fft", "fft_frequencies",
    "fix_length", "get_window", "hz_to_mel", "ifft", "irfft", "istft", "load", "mel_filterbank",
    "mel_frequencies", "mel_to_hz", "melspectrogram", "mfcc", "pad_center", "power_to_db", "resample", "rfft",
    "save", "stft",
]
