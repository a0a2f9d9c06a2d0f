"""Frame energy (RMS) and trimming leading and trailing silence, as librosa does.

A frame is silent when its energy is more than ``top_db`` decibels below
the reference (by default the loudest frame). ``trim`` keeps everything
from the first non-silent frame to the end of the last one.
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.decibels import power_to_db
from audio.stft import PAD_MODES, frame_parameters, padded_rows


def rms(y, *, frame_length: int = 2048, hop_length: int = 512, center: bool = True, pad_mode: str = "constant"):
    """Root-mean-square energy of each frame, as ``librosa.feature.rms`` from a signal.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    frame_length, hop_length : int > 0
    center : pad frame_length // 2 on both sides first (pad_mode)

    Returns
    -------
    rms : np.ndarray [shape=(..., 1, n_frames)]

    Examples
    --------
    >>> rms(np.ones(4096)).shape
    (1, 9)
    """
    frame_length, hop_length, _ = frame_parameters(frame_length, hop_length, None)
    validate.choice("pad_mode", pad_mode, PAD_MODES)
    batch_shape = np.shape(y)[:-1]
    rows = padded_rows(y, frame_length, center, pad_mode, warn_if_short=False)  # [rows, n'], as librosa: no warning
    frames_ = np.lib.stride_tricks.sliding_window_view(rows, frame_length, axis=-1)[:, ::hop_length]
    power = np.mean(np.abs(frames_) ** 2, axis=-1)  # [rows, n_frames]
    return np.sqrt(power).reshape(tuple(batch_shape) + (1, power.shape[-1]))


def trim(y, *, top_db: float = 60, ref=np.max, frame_length: int = 2048, hop_length: int = 512,
         aggregate=np.max):
    """Trim leading and trailing silence, as ``librosa.effects.trim``.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
    top_db : number > 0, the threshold below ``ref`` (dB) under which a frame is silence
    ref : number or callable, the reference power (default: the loudest frame)
    frame_length, hop_length : int > 0
    aggregate : callable, how channels are combined (default: the loudest channel)

    Returns
    -------
    y_trimmed : np.ndarray [shape=(..., m)]
    index : np.ndarray [shape=(2,)], the kept interval ``y[..., index[0]:index[1]]``

    Examples
    --------
    >>> y = np.concatenate([np.zeros(4096), np.ones(4096), np.zeros(4096)])
    >>> trim(y)[1]  # whole frames around the tone, as librosa.effects.trim
    array([3584, 9216])
    """
    top_db = validate.positive_number("top_db", top_db)
    y = validate.audio_signal("y", y)
    energy = rms(y, frame_length=frame_length, hop_length=hop_length)[..., 0, :] ** 2  # [..., n_frames]
    db = power_to_db(energy, ref=ref, top_db=None)
    if db.ndim > 1:
        db = aggregate(db, axis=tuple(range(db.ndim - 1)))  # [n_frames]
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        start = end = 0
    else:
        start = int(loud[0] * hop_length)
        end = min(y.shape[-1], int((loud[-1] + 1) * hop_length))
    return y[..., start:end], np.array([start, end])
