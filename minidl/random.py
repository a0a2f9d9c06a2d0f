"""The one random generator behind initialization and dropout.

``minidl.manual_seed(n)`` makes every later draw (parameter
initialization, dropout masks, shuffles) reproducible. The seed is, with the
backend choice, the only global mutable state in minidl.
"""
from __future__ import annotations

import numpy as np

from minidl import validate

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed minidl's generator and return it.

    Parameters
    ----------
    seed : int
        A non-negative integer.
    """
    global _generator
    _generator = np.random.default_rng(validate.non_negative_int("manual_seed seed", seed))
    return _generator


def generator() -> np.random.Generator:
    """The generator that minidl draws from (NumPy's ``Generator``)."""
    return _generator
