"""The convolution of ``reference.py`` on the GPU (CUDA C in ``conv.cu``).

Same names, arguments and results as the reference, on CuPy arrays. The
kernels compute the sums directly, one thread per output element (one
block per weight for the weight gradient, whose sums run over N L_out
terms); see ``conv.cu``.

Importing this module does not import CuPy; calling it needs a GPU.
"""
from __future__ import annotations

import pathlib

import numpy as np

from kernels import cuda
from kernels.conv import output_length

SOURCE = pathlib.Path(__file__).with_name("conv.cu")
TEMPLATES = ("conv1d_forward", "conv1d_backward_input", "conv1d_backward_weight")
WEIGHT_THREADS = 256  # CONV_THREADS in conv.cu


def _sizes(N, C_in, L, weight, L_out, stride, padding, dilation, groups):
    """The last argument of every kernel of conv.cu: its ``Geometry``, as one int32 array on the device."""
    C_out, _, K = weight.shape
    return (cuda.on_device(np.array([N, C_in, L, C_out, K, L_out, stride, padding[0], dilation, groups]),
                           np.int32),)


def conv1d_forward(x, weight, bias, stride: int, padding: tuple, dilation: int, groups: int):
    """See ``reference.conv1d_forward``."""
    cupy = cuda.cupy()
    x, weight = cuda.on_device(x), cuda.on_device(weight, x.dtype)
    N, C_in, L = x.shape
    C_out, _, K = weight.shape
    L_out = output_length(L, K, stride=stride, padding=padding, dilation=dilation)
    bias = cupy.zeros(C_out, x.dtype) if bias is None else cuda.on_device(bias, x.dtype)
    y = cupy.empty((N, C_out, L_out), dtype=x.dtype)
    if y.size:
        cuda.launch(cuda.kernel(SOURCE, TEMPLATES, "conv1d_forward", x.dtype), y.size,
                    (x, weight, bias, y) + _sizes(N, C_in, L, weight, L_out, stride, padding, dilation, groups))
    return y


def conv1d_backward_input(grad_out, weight, length: int, stride: int, padding: tuple, dilation: int, groups: int):
    """See ``reference.conv1d_backward_input``."""
    cupy = cuda.cupy()
    grad_out = cuda.on_device(grad_out)
    weight = cuda.on_device(weight, grad_out.dtype)
    N, _, L_out = grad_out.shape
    C_in = weight.shape[1] * groups
    grad_x = cupy.empty((N, C_in, length), dtype=grad_out.dtype)
    if grad_x.size:
        cuda.launch(cuda.kernel(SOURCE, TEMPLATES, "conv1d_backward_input", grad_out.dtype), grad_x.size,
                    (grad_out, weight, grad_x)
                    + _sizes(N, C_in, length, weight, L_out, stride, padding, dilation, groups))
    return grad_x


def conv1d_backward_weight(grad_out, x, kernel_size: int, stride: int, padding: tuple, dilation: int,
                           groups: int):
    """See ``reference.conv1d_backward_weight``."""
    cupy = cuda.cupy()
    grad_out, x = cuda.on_device(grad_out), cuda.on_device(x)
    N, C_in, L = x.shape
    C_out, L_out = grad_out.shape[1], grad_out.shape[2]
    grad_w = cupy.empty((C_out, C_in // groups, kernel_size), dtype=x.dtype)
    kernel = cuda.kernel(SOURCE, TEMPLATES, "conv1d_backward_weight", x.dtype)
    kernel((grad_w.size,), (WEIGHT_THREADS,),
           (grad_out, x, grad_w) + _sizes(N, C_in, L, grad_w, L_out, stride, padding, dilation, groups))
    return grad_w
