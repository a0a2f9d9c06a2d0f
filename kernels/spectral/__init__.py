"""Spectral kernels: ``reference`` (NumPy), ``cpu`` (Numba) and ``gpu`` (CuPy, CUDA C in ``spectral.cu``).

Each module exposes ``frame_count``, ``windowed_rfft``, ``windowed_power``, ``windowed_mel``,
``mel_apply``, ``matrix_apply``, ``power_to_db``, ``dct_matrix``, ``delta``, ``first_order_recursion``, ``resonator`` and
``overlap_add``; spectrograms are frequency-major, ``[rows, n_freq, n_frames]``
(see ``reference`` for the math).
``for_arrays`` picks the module for the current backend.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("spectral", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("spectral", *arrays)
