"""Softmax cross-entropy kernels: ``reference`` (NumPy, or CuPy through the
same array code), ``cpu`` (Numba) and ``gpu`` (the reference on CuPy arrays).

Each module exposes ``softmax_cross_entropy(z, target) -> (losses, exp_shifted, total)``
and ``softmax_cross_entropy_backward(exp_shifted, total, target, grad) -> dz``, same
arguments and results; ``for_arrays`` picks the module for the current
backend. ``minidl.nn.losses.cross_entropy`` is built on them.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("softmax", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("softmax", *arrays)
