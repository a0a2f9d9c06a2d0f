"""FFT kernels: ``reference`` (NumPy), ``cpu`` (Numba).

Every module exposes ``fft``, ``ifft``, ``rfft`` and ``irfft`` over the
last axis, unnormalized, precision-preserving. ``for_arrays`` picks the
module for the current backend.
"""
from __future__ import annotations

import importlib

from kernels.backend import backend_for

_MODULES = {"numpy": "reference", "numba": "cpu", "cupy": "gpu"}


def module_for(backend: str):
    """The kernel module of one backend name."""
    return importlib.import_module(f"kernels.fft.{_MODULES[backend]}")


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return module_for(backend_for(*arrays))
