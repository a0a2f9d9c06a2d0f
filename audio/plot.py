"""Figures of signals and features (matplotlib), for the CLI and the tutorials.

Every function draws into a given ``ax`` (or a new figure) and returns the
figure, built with ``matplotlib.figure.Figure`` rather than pyplot, so it
works without a display and keeps no global state.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from audio.cepstrum import mfcc
from audio.decibels import amplitude_to_db, power_to_db
from audio.mel import mel_filterbank, melspectrogram
from audio.stft import stft
from kernels import to_host


def _axes(ax, figsize=(8, 3)):
    if ax is not None:
        return ax.figure, ax
    figure = Figure(figsize=figsize, layout="constrained")
    return figure, figure.add_subplot()


def waveform(y, sr: int, *, ax=None, title: str = "waveform"):
    """Amplitude against time (s). y [n]"""
    figure, ax = _axes(ax)
    ax.plot(np.arange(len(y)) / sr, y, linewidth=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", title=title, xlim=(0, len(y) / sr))
    return figure


def spectrogram(S_db, *, sr: int, hop_length: int, ax=None, title: str = "spectrogram",
                ylabel: str = "frequency (Hz)", fmax=None):
    """An image of a [n_rows, n_frames] matrix in dB against time; rows span 0..fmax (default sr/2)."""
    figure, ax = _axes(ax)
    top = sr / 2 if fmax is None else fmax
    extent = (0, S_db.shape[1] * hop_length / sr, 0, top)
    image = ax.imshow(S_db, origin="lower", aspect="auto", extent=extent, cmap="magma")
    figure.colorbar(image, ax=ax, label="dB")
    ax.set(xlabel="time (s)", ylabel=ylabel, title=title)
    return figure


def coefficients(C, *, sr: int, hop_length: int, ax=None, title: str = "MFCC", first: int = 0):
    """An image of coefficients ``C[first:]`` against time, one row per coefficient. C [n_coefficients, n_frames]

    The rows are labelled with their coefficient numbers (integer ticks), and
    the diverging colour scale is centred on 0 and spans the rows shown. For
    MFCCs pass ``first=1``: c0, the frame's log energy, is an order of
    magnitude larger than the rest and would otherwise take the whole scale.
    """
    figure, ax = _axes(ax)
    shown = C[first:]  # [n_coefficients - first, n_frames]
    extent = (0, C.shape[1] * hop_length / sr, first - 0.5, C.shape[0] - 0.5)
    limit = float(np.max(np.abs(shown))) if shown.size else 1.0
    image = ax.imshow(shown, origin="lower", aspect="auto", extent=extent, cmap="coolwarm",
                      vmin=-limit, vmax=limit)
    figure.colorbar(image, ax=ax)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="time (s)", ylabel="coefficient", title=title)
    return figure


def filterbank(*, sr: int, n_fft: int, n_mels: int = 40, ax=None, **mel_kwargs):
    """Each mel filter's weight against frequency (Hz)."""
    figure, ax = _axes(ax)
    weights = mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, **mel_kwargs)  # [n_mels, 1 + n_fft // 2]
    frequencies = np.linspace(0, sr / 2, weights.shape[1])
    ax.plot(frequencies, weights.T, linewidth=0.8)
    ax.set(xlabel="frequency (Hz)", ylabel="weight", title=f"{n_mels}-band mel filterbank")
    return figure


def features_figure(y, sr: int, *, n_fft: int = 512, hop_length: int = 128, n_mels: int = 40,
                    n_mfcc: int = 13, title: str = ""):
    """Waveform, spectrogram, mel spectrogram and MFCC of one signal, stacked. y [n]

    ``y`` may be a CuPy array: the spectra and coefficients are then computed
    on the GPU, and only the finished matrices are copied to the host to draw.
    """
    figure = Figure(figsize=(9, 10), layout="constrained")
    axes = figure.subplots(4, 1)
    S = to_host(abs(stft(y, n_fft=n_fft, hop_length=hop_length)))  # [1 + n_fft // 2, frames]
    M = to_host(melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels))  # [n_mels, frames]
    C = to_host(mfcc(y=y, sr=sr, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels))
    waveform(to_host(y), sr, ax=axes[0], title=f"waveform {title}".strip())
    spectrogram(amplitude_to_db(S, ref=np.max), sr=sr, hop_length=hop_length, ax=axes[1],
                title="spectrogram (STFT magnitude)")
    spectrogram(power_to_db(M, ref=np.max), sr=sr, hop_length=hop_length, ax=axes[2],
                title=f"mel spectrogram ({n_mels} bands)", ylabel="mel band", fmax=n_mels)
    coefficients(C, sr=sr, hop_length=hop_length, ax=axes[3], first=1,
                 title=f"MFCC c1-c{n_mfcc - 1} (c0, the log energy, left out: it would swamp the colours)")
    return figure
