"""Random gain: the same words recorded louder or softer.

A clip's level depends on how loud the speaker talks, how far the
microphone is and how the recording was set: nothing a digit classifier
should care about. Multiplying the signal by g = 10^(dB / 20), with dB
drawn uniformly in [-max_db, +max_db], teaches that. In log-mel features a
gain only adds 20 log10(g) dB to every band of every frame (so only the
first MFCC, c0, moves); per-utterance CMVN removes it exactly, so with
``--normalize utterance`` this augmentation changes (almost) nothing.
"""
from __future__ import annotations

import numpy as np

from audio import validate


def apply_gain(y, *, gain_db: float):
    """y scaled by 10^(gain_db / 20). [n] -> [n], y's dtype

    Examples
    --------
    >>> apply_gain(np.array([0.5, -0.25]), gain_db=6.020599913279624)
    array([ 1. , -0.5])
    """
    y = validate.audio_signal("y", y)
    if isinstance(gain_db, bool) or not np.isfinite(gain_db):
        raise validate.ParameterError(f"gain_db must be a finite number of dB, got {gain_db!r}")
    return y * y.dtype.type(10.0 ** (gain_db / 20.0))


def random_gain_db(rng: np.random.Generator, *, max_db: float) -> float:
    """A gain in dB drawn uniformly from [-max_db, +max_db]."""
    max_db = validate.positive_number("max_db", max_db, allow_zero=True)
    return float(rng.uniform(-max_db, max_db))
