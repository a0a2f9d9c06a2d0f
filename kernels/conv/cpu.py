"""The convolution of ``reference.py`` on the CPU: im2col with Numba, the sums as BLAS matrix products.

The convolution's sum over input channels c and taps k is a matrix
product once every input frame a tap meets is copied into a column
matrix ("im2col"):

    cols[g][c K + k, n L_out + t] = x_pad[n, g C_in/G + c, t s + k d]     [G, C_in/G K, N L_out]
    y[:, o in g]   = W_g cols[g]               W_g = w[o in g] as [C_out/G, C_in/G K]
    dL/dw[o in g]  = dL/dY_g cols[g]^T         dL/dY_g = dL/dy[:, o in g] as [C_out/G, N L_out]
    dL/dcols[g]    = W_g^T dL/dY_g             then summed back onto x ("col2im")

The three products are single large GEMMs (NumPy's BLAS, multithreaded),
which measured faster here than a direct Numba loop over the sum:
BLAS blocks for the cache and vectorizes, a plain triple loop does
neither. im2col and col2im are the Numba parts, parallel over channels
(``prange``); col2im gives each (n, c) row to one thread, so the sums
need no atomics. Frames outside [0, L) are the zero padding, never
stored. Same names, arguments and results as the reference.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from kernels.conv import output_length


@njit(cache=True, inline="always")
def _valid_frames(k, stride, pad_left, dilation, length, length_out):
    """[t_lo, t_hi): the output frames whose tap k lands inside x, 0 <= t s + k d - p_l < length."""
    offset = k * dilation - pad_left  # the input frame of t = 0
    t_lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    t_hi = 0 if length - offset <= 0 else min(length_out, (length - offset + stride - 1) // stride)
    return offset, t_lo, max(t_lo, t_hi)


@njit(cache=True, parallel=True)
def im2col(x, kernel_size, stride, pad_left, dilation, length_out, groups):
    """cols [G, C_in/G K, N L_out] from x [N, C_in, L]: what each tap meets, zeros for the padding."""
    N, C_in, L = x.shape
    cg = C_in // groups
    cols = np.empty((groups, cg * kernel_size, N * length_out), dtype=x.dtype)
    for row in prange(C_in * kernel_size):
        c, k = row // kernel_size, row % kernel_size
        g, r = c // cg, (c % cg) * kernel_size + k
        offset, t_lo, t_hi = _valid_frames(k, stride, pad_left, dilation, L, length_out)
        for n in range(N):  # the loops below have no branch: padding first, frames, padding again
            out = cols[g, r, n * length_out: (n + 1) * length_out]
            out[:t_lo] = 0.0
            for t in range(t_lo, t_hi):
                out[t] = x[n, c, t * stride + offset]
            out[t_hi:] = 0.0
    return cols


@njit(cache=True, parallel=True)
def col2im(grad_cols, length, kernel_size, stride, pad_left, dilation, batch, length_out):
    """dL/dx [N, C_in, length]: the adjoint of ``im2col``, each column entry added to its frame."""
    groups, rows, _ = grad_cols.shape
    cg = rows // kernel_size
    grad_x = np.zeros((batch, groups * cg, length), dtype=grad_cols.dtype)
    for item in prange(batch * groups * cg):  # one (n, c) row per thread: no two threads add to one frame
        n, c = item // (groups * cg), item % (groups * cg)
        g, base = c // cg, (c % cg) * kernel_size
        for k in range(kernel_size):
            offset, t_lo, t_hi = _valid_frames(k, stride, pad_left, dilation, length, length_out)
            column = grad_cols[g, base + k, n * length_out: (n + 1) * length_out]
            for t in range(t_lo, t_hi):
                grad_x[n, c, t * stride + offset] += column[t]
    return grad_x


def _by_group(array, groups):
    """[N, C, L_out] -> [G, C/G, N L_out]: the layout of the GEMM operands (one copy)."""
    N, C, L_out = array.shape
    return np.ascontiguousarray(array.reshape(N, groups, C // groups, L_out).transpose(1, 2, 0, 3)).reshape(
        groups, C // groups, N * L_out)


def _weight_matrices(weight, groups):
    """w [C_out, C_in/G, K] -> [G, C_out/G, C_in/G K] (a view)."""
    C_out, cg, K = weight.shape
    return np.ascontiguousarray(weight).reshape(groups, C_out // groups, cg * K)


def _columns(x, kernel_size, stride, padding, dilation, groups):
    length_out = output_length(x.shape[2], kernel_size, stride=stride, padding=padding, dilation=dilation)
    return im2col(np.ascontiguousarray(x), kernel_size, stride, padding[0], dilation, length_out, groups), length_out


def conv1d_forward(x, weight, bias, stride: int, padding: tuple, dilation: int, groups: int):
    """See ``reference.conv1d_forward``."""
    N, C_out = x.shape[0], weight.shape[0]
    cols, L_out = _columns(x, weight.shape[2], stride, padding, dilation, groups)  # [G, C_in/G K, N L_out]
    y = np.matmul(_weight_matrices(weight, groups), cols)  # [G, C_out/G, N L_out]
    y = np.ascontiguousarray(y.reshape(C_out, N, L_out).transpose(1, 0, 2))  # [N, C_out, L_out]
    if bias is not None:
        y += bias[None, :, None]
    return y


def conv1d_backward_input(grad_out, weight, length: int, stride: int, padding: tuple, dilation: int, groups: int):
    """See ``reference.conv1d_backward_input``."""
    w = _weight_matrices(weight, groups)  # [G, C_out/G, C_in/G K]
    grad_cols = np.matmul(w.transpose(0, 2, 1), _by_group(grad_out, groups))  # [G, C_in/G K, N L_out]
    return col2im(grad_cols, length, weight.shape[2], stride, padding[0], dilation, *grad_out.shape[::2])


def conv1d_backward_weight(grad_out, x, kernel_size: int, stride: int, padding: tuple, dilation: int,
                           groups: int):
    """See ``reference.conv1d_backward_weight``."""
    cols, _ = _columns(x, kernel_size, stride, padding, dilation, groups)  # [G, C_in/G K, N L_out]
    grad_w = np.matmul(_by_group(grad_out, groups), cols.transpose(0, 2, 1))  # [G, C_out/G, C_in/G K]
    return grad_w.reshape(grad_out.shape[1], x.shape[1] // groups, kernel_size)
