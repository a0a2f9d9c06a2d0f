"""Weight initialization, drawn from minidl's seeded generator."""
from __future__ import annotations

import math

import numpy as np

from minidl.random import generator


def uniform(shape: tuple, bound: float, dtype=np.float32) -> np.ndarray:
    """Draws from U(-bound, bound) of the given shape."""
    return generator().uniform(-bound, bound, size=shape).astype(dtype)


def fan_in_bound(fan_in: int) -> float:
    """1 / sqrt(fan_in): PyTorch's bound for Linear weights and biases and RNN weights.

    (``kaiming_uniform_(a=sqrt(5))`` works out to exactly this bound.)
    """
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
