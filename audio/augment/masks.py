"""SpecAugment-style masking: the same words with a stretch of time or a band of features missing.

Park et al. (2019) train on log-mel spectrograms with a few consecutive
frames (time mask) and a few consecutive bands (frequency mask) blanked
out, so the model cannot lean on any single moment or band: a dropped
syllable, a burst of interference or a narrow-band channel are then
nothing new. Widths are drawn uniformly from 0 to a maximum (T frames,
F features), positions uniformly where the mask fits.

Here the masks act on the model's input features, after normalization,
and blank to 0: the mean of each normalized feature, so a mask carries no
information. On MFCC features a "frequency" mask hides a band of cepstral
coefficients rather than of frequencies; when deltas follow the
coefficients (``groups`` = 1 + the delta orders), the same coefficients
are hidden in every group.
"""
from __future__ import annotations

import numpy as np

from audio import validate
from audio.errors import ParameterError


def mask_features(x, *, time_start: int = 0, time_width: int = 0, freq_start: int = 0, freq_width: int = 0,
                  groups: int = 1, value: float = 0.0):
    """A copy of ``x`` with frames [time_start, time_start + time_width) and features
    [freq_start, freq_start + freq_width) of every group set to ``value``.

    Parameters
    ----------
    x : np.ndarray [shape=(frames, F)]
    time_start, time_width : int >= 0, the masked frames (cut at the last frame)
    freq_start, freq_width : int >= 0, the masked features within a group (cut at its end)
    groups : int > 0
        x's features are ``groups`` blocks of F / groups (coefficients, their deltas ...).
    value : float

    Examples
    --------
    >>> mask_features(np.ones((4, 6)), time_start=1, time_width=2, freq_start=0, freq_width=1, groups=2)
    array([[0., 1., 1., 0., 1., 1.],
           [0., 0., 0., 0., 0., 0.],
           [0., 0., 0., 0., 0., 0.],
           [0., 1., 1., 0., 1., 1.]])
    """
    x = validate.numeric_array("x", x, real=True, min_ndim=2)
    if x.ndim != 2:
        raise ParameterError(f"x must be features [frames, F], got shape {x.shape}")
    groups = validate.positive_int("groups", groups)
    if x.shape[1] % groups:
        raise ParameterError(f"x's {x.shape[1]} features cannot be split into {groups} equal groups")
    t0, tw = validate.non_negative_int("time_start", time_start), validate.non_negative_int("time_width", time_width)
    f0, fw = validate.non_negative_int("freq_start", freq_start), validate.non_negative_int("freq_width", freq_width)
    out = x.copy()
    out[t0:t0 + tw] = value
    per_group = x.shape[1] // groups
    blocks = out.reshape(x.shape[0], groups, per_group)  # [frames, groups, F / groups], a view of out
    blocks[:, :, f0:min(f0 + fw, per_group)] = value
    return out


def draw_masks(frames: int, features: int, *, rng: np.random.Generator, max_time: int, max_freq: int) -> dict:
    """Random mask positions for :func:`mask_features`: widths uniform in [0, max], starts where they fit.

    Widths are capped at ``frames`` and ``features`` (the features of one group).
    Returns the keyword arguments ``time_start``, ``time_width``, ``freq_start``, ``freq_width``.
    """
    max_time = min(validate.non_negative_int("max_time", max_time), frames)
    max_freq = min(validate.non_negative_int("max_freq", max_freq), features)
    time_width = int(rng.integers(max_time + 1))
    freq_width = int(rng.integers(max_freq + 1))
    return {"time_start": int(rng.integers(frames - time_width + 1)), "time_width": time_width,
            "freq_start": int(rng.integers(features - freq_width + 1)), "freq_width": freq_width}


def spec_augment(x, *, rng: np.random.Generator, max_time: int, max_freq: int, groups: int = 1,
                 value: float = 0.0):
    """One time mask of up to ``max_time`` frames and one feature mask of up to ``max_freq`` features. [frames, F]

    Examples
    --------
    >>> masked = spec_augment(np.ones((50, 39)), rng=np.random.default_rng(0), max_time=10, max_freq=3, groups=3)
    >>> bool((masked == 0).all(axis=1).sum() <= 10), bool((masked == 0).all(axis=0).sum() <= 3 * 3)
    (True, True)
    """
    x = validate.numeric_array("x", x, real=True, min_ndim=2)
    groups = validate.positive_int("groups", groups)
    masks = draw_masks(x.shape[0], x.shape[-1] // groups, rng=rng, max_time=max_time, max_freq=max_freq)
    return mask_features(x, groups=groups, value=value, **masks)
