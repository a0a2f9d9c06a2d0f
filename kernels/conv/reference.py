"""1-D convolution, written to be read: the sum it is, forward and backward.

Layout (PyTorch's): input x [N, C_in, L], weight w [C_out, C_in / G, K],
bias b [C_out], output y [N, C_out, L_out]. With stride s, dilation d,
zero padding (p_l, p_r) and G groups, output channel o sees only the
input channels of its group, g(o) = o // (C_out / G):

    y[n, o, t] = b[o] + sum_{c=0}^{C_in/G - 1} sum_{k=0}^{K-1} w[o, c, k] x_pad[n, g(o) C_in/G + c, t s + k d]

where x_pad is x with p_l zeros in front and p_r behind, and
L_out = floor((L + p_l + p_r - d (K - 1) - 1) / s) + 1. (As in PyTorch,
this is a cross-correlation: the kernel is not flipped.)

The two gradients are convolutions too. Each x_pad[n, i, t s + k d]
meets w[o, c, k] in exactly one term of y[n, o, t], so

    dL/dx_pad[n, i, j] = sum_o sum_{k, t : t s + k d = j} w[o, c, k] dL/dy[n, o, t]
    dL/dw[o, c, k]     = sum_n sum_t dL/dy[n, o, t] x_pad[n, i, t s + k d]
    dL/db[o]           = sum_n sum_t dL/dy[n, o, t]

(i = g(o) C_in/G + c), and dL/dx is dL/dx_pad with the padding cut off.
Here the sums over c and o are einsums and the loop over the K taps is
written out: tap k pairs output frame t with padded input frame t s + k d,
a strided slice.

Every function takes ``padding`` as the pair (p_l, p_r): "same" padding of
an even kernel puts one more zero on the right (PyTorch does the same).
"""
from __future__ import annotations

import numpy as np

from kernels.conv import output_length


def _tap(k: int, dilation: int, stride: int, length_out: int) -> slice:
    """Padded input frames that tap k meets, one per output frame: t s + k d for t < L_out."""
    start = k * dilation
    return slice(start, start + stride * (length_out - 1) + 1, stride)


def _groups(channels_in: int, channels_out: int, groups: int):
    """(input channel slice, output channel slice) of each group."""
    cg, og = channels_in // groups, channels_out // groups
    return [(slice(g * cg, (g + 1) * cg), slice(g * og, (g + 1) * og)) for g in range(groups)]


def pad(x, padding: tuple):
    """x [N, C, L] with p_l zeros before and p_r zeros after the frames: [N, C, p_l + L + p_r]."""
    return np.pad(x, ((0, 0), (0, 0), tuple(padding)))


def conv1d_forward(x, weight, bias, stride: int, padding: tuple, dilation: int, groups: int):
    """y [N, C_out, L_out] = the convolution of x [N, C_in, L] with weight [C_out, C_in/G, K], plus bias [C_out] or None.

    Examples
    --------
    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> conv1d_forward(x, np.array([[[1.0, -1.0]]]), None, 1, (0, 0), 1, 1)  # x[t] - x[t+1]
    array([[[-1., -1., -1., -1.]]])
    """
    N, C_in, L = x.shape
    C_out, _, K = weight.shape
    L_out = output_length(L, K, stride=stride, padding=padding, dilation=dilation)
    x_pad = pad(x, padding)  # [N, C_in, p_l + L + p_r]
    y = np.zeros((N, C_out, L_out), dtype=x.dtype)
    for cin, cout in _groups(C_in, C_out, groups):
        for k in range(K):
            frames = x_pad[:, cin, _tap(k, dilation, stride, L_out)]  # [N, C_in/G, L_out]
            y[:, cout] += np.einsum("oc,nct->not", weight[cout, :, k], frames)
    if bias is not None:
        y += bias[None, :, None]
    return y


def conv1d_backward_input(grad_out, weight, length: int, stride: int, padding: tuple, dilation: int, groups: int):
    """dL/dx [N, C_in, length] from dL/dy [N, C_out, L_out]: each tap sends w^T dL/dy back to its frames."""
    N, C_out, L_out = grad_out.shape
    _, cg, K = weight.shape
    C_in = cg * groups
    grad_pad = np.zeros((N, C_in, padding[0] + length + padding[1]), dtype=grad_out.dtype)
    for cin, cout in _groups(C_in, C_out, groups):
        for k in range(K):
            grad_pad[:, cin, _tap(k, dilation, stride, L_out)] += np.einsum(
                "oc,not->nct", weight[cout, :, k], grad_out[:, cout])
    return grad_pad[:, :, padding[0]: padding[0] + length]


def conv1d_backward_weight(grad_out, x, kernel_size: int, stride: int, padding: tuple, dilation: int,
                           groups: int):
    """dL/dw [C_out, C_in/G, K] from dL/dy [N, C_out, L_out] and x [N, C_in, L]: each tap correlates them."""
    N, C_in, L = x.shape
    C_out, L_out = grad_out.shape[1], grad_out.shape[2]
    x_pad = pad(x, padding)  # [N, C_in, p_l + L + p_r]
    grad_w = np.zeros((C_out, C_in // groups, kernel_size), dtype=x.dtype)
    for cin, cout in _groups(C_in, C_out, groups):
        for k in range(kernel_size):
            frames = x_pad[:, cin, _tap(k, dilation, stride, L_out)]  # [N, C_in/G, L_out]
            grad_w[cout, :, k] = np.einsum("not,nct->oc", grad_out[:, cout], frames)
    return grad_w
