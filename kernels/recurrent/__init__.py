"""Recurrent gate kernels: ``reference`` (NumPy), ``cpu`` (Numba) and
``gpu`` (CuPy, CUDA C in ``recurrent.cu``); ``loop`` compiles a layer's
whole loop over time around the ``cpu`` kernels, and ``activations`` holds
the sigmoid and tanh those kernels compute with.

``for_arrays(*arrays)`` returns the module that must run on those arrays
under the current backend choice; each exposes the same six functions: ``rnn_forward``, ``rnn_backward``, ``lstm_forward``,
``lstm_backward``, ``gru_forward``, ``gru_backward``.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("recurrent", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("recurrent", *arrays)
