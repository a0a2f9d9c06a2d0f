"""audio.plot: the figures draw what they say they draw."""
from __future__ import annotations

import numpy as np

import audio
from audio import plot


def test_filterbank_draws_one_line_per_band():
    figure = plot.filterbank(sr=8000, n_fft=256, n_mels=20)
    (ax,) = figure.axes
    assert len(ax.lines) == 20
    weights = audio.mel_filterbank(sr=8000, n_fft=256, n_mels=20)
    np.testing.assert_array_equal(ax.lines[3].get_ydata(), weights[3])
    assert ax.lines[0].get_xdata()[-1] == 4000.0


def test_waveform_time_axis_and_features_figure():
    y = np.sin(np.arange(4000) / 7.0).astype(np.float32)
    ax = plot.waveform(y, 8000).axes[0]
    assert ax.get_xlim() == (0.0, 0.5) and np.array_equal(ax.lines[0].get_ydata(), y)
    figure = plot.features_figure(y, 8000, n_fft=256, hop_length=64, n_mels=32, n_mfcc=13)
    images = [ax.images[0] for ax in figure.axes if ax.images]
    assert [im.get_array().shape for im in images] == [(129, 63), (32, 63), (12, 63)]  # MFCC: c1..c12


def test_mfcc_panel_has_integer_ticks_and_a_scale_that_c0_does_not_set():
    y = np.sin(np.arange(4000) / 7.0).astype(np.float32) + 0.1
    figure = plot.features_figure(y, 8000, n_fft=256, hop_length=64, n_mels=32, n_mfcc=13)
    ax = [a for a in figure.axes if a.get_ylabel() == "coefficient"][0]
    figure.canvas.draw()
    ticks = ax.get_yticks()
    shown = ticks[(ticks >= 1) & (ticks <= 12)]
    assert len(shown) >= 2 and np.array_equal(shown, np.round(shown))
    labels = [t.get_text().replace("\u2212", "-") for t in ax.get_yticklabels() if t.get_text()]
    assert labels and all(label.lstrip("-").isdigit() for label in labels)
    assert "c0" in ax.get_title()
    C = audio.mfcc(y=y, sr=8000, n_mfcc=13, n_fft=256, hop_length=64, n_mels=32)
    assert np.abs(C[0]).max() > np.abs(C[1:]).max()  # c0 would have set the scale
    low, high = ax.images[0].get_clim()
    np.testing.assert_allclose((low, high), (-np.abs(C[1:]).max(), np.abs(C[1:]).max()), rtol=1e-6)
