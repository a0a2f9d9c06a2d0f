"""One validator per kind of argument, shared by every public entry point of minidl.

Each returns the cleaned value (a plain ``int`` or ``float``) or raises
``ValueError`` naming the argument, the bad value and what was expected —
the same contract as ``audio.validate`` has for the audio package.

Examples
--------
>>> positive_int("hidden_size", 8)
8
>>> probability("dropout", 0.25)
0.25
>>> positive_int("hidden_size", 0)
Traceback (most recent call last):
    ...
ValueError: hidden_size must be a positive integer, got 0
"""
from __future__ import annotations

import math
import numbers


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not math.isnan(value)


def positive_int(name: str, value, *, allow_none: bool = False):
    """A size or a count: an integer >= 1 (or None with ``allow_none``)."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or value < 1:
        expected = "a positive integer or None" if allow_none else "a positive integer"
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return int(value)


def non_negative_int(name: str, value) -> int:
    """A seed, an offset, a count that may be zero: an integer >= 0."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def non_negative(name: str, value) -> float:
    """A hyper-parameter such as a learning rate or a norm bound: a number >= 0 (inf allowed, NaN not)."""
    if not _is_number(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return float(value)


def probability(name: str, value) -> float:
    """A probability: a number in [0, 1]."""
    if not _is_number(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return float(value)


def decay_rate(name: str, value) -> float:
    """A running-average decay such as Adam's betas: a number in [0, 1)."""
    if not _is_number(value) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def fraction(name: str, value) -> float:
    """A share of a set that must leave something on both sides: a number in (0, 1)."""
    if not _is_number(value) or not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
    return float(value)


def choice(name: str, value, options):
    """One of a fixed set of options (names of models, kinds, reductions ...)."""
    if value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value
