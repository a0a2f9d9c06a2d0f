"""CTC kernels: ``reference`` (NumPy), ``cpu`` (Numba) and ``gpu`` (CuPy,
CUDA C in ``ctc.cu``).

Each module exposes ``ctc_loss`` (the negative log-likelihoods) and
``ctc_loss_and_grad`` (with their gradients), same arguments and results;
``for_arrays`` picks the module for the current backend.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("ctc", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("ctc", *arrays)
