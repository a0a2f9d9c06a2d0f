"""FFT kernels: ``reference`` (NumPy), ``cpu`` (Numba), ``gpu`` (CuPy, CUDA C in ``fft.cu``).

Every module exposes ``fft``, ``ifft``, ``rfft`` and ``irfft`` over the
last axis, unnormalized, precision-preserving. ``for_arrays`` picks the
module for the current backend.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("fft", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("fft", *arrays)
