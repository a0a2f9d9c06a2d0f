"""Spectral kernels: ``reference`` (NumPy), ``cpu`` (Numba) and ``gpu`` (CuPy, CUDA C in ``spectral.cu``).

Each module exposes the steps from samples to MFCC — ``frame_count``,
``windowed_rfft``, ``windowed_power``, ``windowed_mel``, ``mel_apply``,
``matrix_apply``, ``power_to_db``, ``dct_matrix``, ``delta`` and
``overlap_add`` — with spectrograms frequency-major, ``[rows, n_freq, n_frames]``.
It also holds two time-domain recursions, which are filters rather than
spectral steps but are compiled for the same reason (a loop over samples):
``first_order_recursion`` (one-pole, for de-emphasis) and ``resonator``
(two-pole with moving poles, for the synthetic vowels' formants).
See ``reference`` for the math.
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
