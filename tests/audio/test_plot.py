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
    assert [im.get_array().shape for im in images] == [(129, 63), (32, 63), (13, 63)]
