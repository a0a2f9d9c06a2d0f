"""Tensors made from a shape: zeros, ones and random draws.

Random tensors draw from minidl's seeded generator (``minidl.manual_seed``).
"""
from __future__ import annotations

import numpy as np

from minidl.random import generator
from minidl.tensor import Tensor, tensor


def _shape(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"a shape is a sequence of non-negative integers, got {shape}")
    return tuple(int(n) for n in shape)


def _make(values, dtype, requires_grad, device) -> Tensor:
    return tensor(values, dtype=dtype, requires_grad=requires_grad, device=device)


def zeros(*shape, dtype=np.float32, requires_grad=False, device=None) -> Tensor:
    """A tensor of zeros, e.g. ``zeros(2, 3)``."""
    return _make(np.zeros(_shape(shape)), dtype, requires_grad, device)


def ones(*shape, dtype=np.float32, requires_grad=False, device=None) -> Tensor:
    """A tensor of ones, e.g. ``ones(2, 3)``."""
    return _make(np.ones(_shape(shape)), dtype, requires_grad, device)


def randn(*shape, dtype=np.float32, requires_grad=False, device=None) -> Tensor:
    """Standard normal draws from minidl's generator."""
    return _make(generator().standard_normal(_shape(shape)), dtype, requires_grad, device)


def rand(*shape, dtype=np.float32, requires_grad=False, device=None) -> Tensor:
    """Uniform draws on [0, 1) from minidl's generator."""
    return _make(generator().random(_shape(shape)), dtype, requires_grad, device)
