"""Recurrent gate kernels: ``reference`` (NumPy), ``cpu`` (Numba), ``gpu`` (CuPy).

``for_arrays(*arrays)`` returns the module that must run on those arrays
under the current backend choice; all three expose the same six
functions: ``rnn_forward``, ``rnn_backward``, ``lstm_forward``,
``lstm_backward``, ``gru_forward``, ``gru_backward``.
"""
from __future__ import annotations

import importlib

from kernels.backend import backend_for

_MODULES = {"numpy": "reference", "numba": "cpu", "cupy": "gpu"}


def module_for(backend: str):
    """The kernel module of one backend name."""
    return importlib.import_module(f"kernels.recurrent.{_MODULES[backend]}")


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return module_for(backend_for(*arrays))
