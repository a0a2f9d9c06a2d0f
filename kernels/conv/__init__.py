"""1-D convolution kernels: ``reference`` (NumPy), ``cpu`` (Numba) and ``gpu``
(CuPy, CUDA C in ``conv.cu``); pooling in ``pool`` (NumPy or CuPy, one copy).

Each convolution module exposes the same three functions, same arguments
and results: ``conv1d_forward``, ``conv1d_backward_input`` and
``conv1d_backward_weight``; ``for_arrays`` picks the module for the
current backend. ``output_length`` is the one formula for the number of
output frames, shared by every backend and by the layers.
"""
from __future__ import annotations

from kernels.backend import family_module, family_module_for


def output_length(length: int, kernel_size: int, *, stride: int = 1, padding: tuple = (0, 0),
                  dilation: int = 1) -> int:
    """Frames out of a convolution or pooling: floor((L + p_l + p_r - d (K - 1) - 1) / s) + 1.

    May be <= 0 when the (dilated) kernel is longer than the padded input;
    callers turn that into an error naming the sizes.

    Examples
    --------
    >>> output_length(200, 5, padding=(2, 2))
    200
    >>> output_length(10, 3, stride=2, dilation=2)
    3
    """
    return (length + padding[0] + padding[1] - dilation * (kernel_size - 1) - 1) // stride + 1


def module_for(backend: str):
    """The kernel module of one backend name."""
    return family_module("conv", backend)


def for_arrays(*arrays):
    """The kernel module for these arrays under the current backend."""
    return family_module_for("conv", *arrays)
