"""1-D max and average pooling, forward and backward, on NumPy or CuPy arrays.

Layout [N, C, L] -> [N, C, L_out]. A window of K frames starts every s
frames of the input padded with p frames on each side:

    max:  y[n, c, t] = max_k x_pad[n, c, t s + k]          (padding is -inf: never the max)
    avg:  y[n, c, t] = (1 / D) sum_k x_pad[n, c, t s + k]  (padding is 0)

with D = K when padding counts (``count_include_pad``, PyTorch's
default) and D = the number of real frames in the window otherwise.
L_out = floor((L + 2 p - K) / s) + 1, as ``kernels.conv.output_length``.

Backward sends each output's gradient to the frame that was the max (the
first one on a tie, as PyTorch's CPU kernel), or 1/D of it to every frame
of the window. Pooling costs a few elementwise passes, memory-bound on
any device, so it is written once with the array module of its input
(``kernels.array_module``) rather than as a compiled kernel per backend.
"""
from __future__ import annotations

from kernels.backend import array_module
from kernels.conv import output_length


def _windows(x_pad, kernel_size: int, stride: int, length_out: int):
    """The K frames of every window, [N, C, L_out, K]: entry k of window t is frame t s + k."""
    xp = array_module(x_pad)
    return xp.stack([x_pad[:, :, k: k + stride * (length_out - 1) + 1: stride] for k in range(kernel_size)],
                    axis=-1)


def _scatter(grad_windows, length: int, kernel_size: int, stride: int, padding: int):
    """Adjoint of ``_windows``: [N, C, L_out, K] summed back onto the frames, padding cut off: [N, C, L]."""
    xp = array_module(grad_windows)
    N, C, L_out, _ = grad_windows.shape
    grad_pad = xp.zeros((N, C, length + 2 * padding), dtype=grad_windows.dtype)
    for k in range(kernel_size):
        grad_pad[:, :, k: k + stride * (L_out - 1) + 1: stride] += grad_windows[..., k]
    return grad_pad[:, :, padding: padding + length]


def _length_out(x, kernel_size, stride, padding):
    return output_length(x.shape[2], kernel_size, stride=stride, padding=(padding, padding))


def max_pool1d_forward(x, kernel_size: int, stride: int, padding: int):
    """(y [N, C, L_out], argmax [N, C, L_out]): the window maxima and where in the window each sits.

    Examples
    --------
    >>> y, where = max_pool1d_forward(np.array([[[1.0, 3.0, 2.0, 0.0]]]), 2, 2, 0)
    >>> y, where
    (array([[[3., 2.]]]), array([[[1, 0]]]))
    """
    xp = array_module(x)
    x_pad = xp.pad(x, ((0, 0), (0, 0), (padding, padding)), constant_values=-xp.inf)  # [N, C, L + 2p]
    windows = _windows(x_pad, kernel_size, stride, _length_out(x, kernel_size, stride, padding))
    argmax = windows.argmax(axis=-1)  # [N, C, L_out], the first max on a tie
    return xp.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0], argmax


def max_pool1d_backward(grad_out, argmax, length: int, kernel_size: int, stride: int, padding: int):
    """dL/dx [N, C, length]: each output's gradient goes to its window's max."""
    xp = array_module(grad_out)
    chosen = argmax[..., None] == xp.arange(kernel_size)  # [N, C, L_out, K], one True per window
    return _scatter(chosen * grad_out[..., None], length, kernel_size, stride, padding)


def _divisors(x, kernel_size, stride, padding, count_include_pad):
    """D per output frame, [L_out]: K, or the real (unpadded) frames in the window."""
    xp = array_module(x)
    L_out = _length_out(x, kernel_size, stride, padding)
    if count_include_pad:
        return xp.full(L_out, kernel_size, dtype=x.dtype)
    starts = xp.arange(L_out) * stride - padding  # first frame of each window, in unpadded frames
    ends = xp.minimum(starts + kernel_size, x.shape[2])
    return (ends - xp.maximum(starts, 0)).astype(x.dtype)


def avg_pool1d_forward(x, kernel_size: int, stride: int, padding: int, count_include_pad: bool = True):
    """y [N, C, L_out]: the window means (padding counts as zeros when ``count_include_pad``).

    Examples
    --------
    >>> avg_pool1d_forward(np.array([[[1.0, 3.0, 2.0]]]), 2, 1, 0)
    array([[[2. , 2.5]]])
    """
    xp = array_module(x)
    x_pad = xp.pad(x, ((0, 0), (0, 0), (padding, padding)))  # [N, C, L + 2p]
    windows = _windows(x_pad, kernel_size, stride, _length_out(x, kernel_size, stride, padding))
    return windows.sum(axis=-1) / _divisors(x, kernel_size, stride, padding, count_include_pad)


def avg_pool1d_backward(grad_out, length: int, kernel_size: int, stride: int, padding: int,
                        count_include_pad: bool = True):
    """dL/dx [N, C, length]: each output's gradient over D goes to every frame of its window."""
    xp = array_module(grad_out)
    shape = grad_out.shape[:2] + (length,)
    divisors = _divisors(xp.empty(shape, grad_out.dtype), kernel_size, stride, padding, count_include_pad)
    share = grad_out / divisors  # [N, C, L_out]
    return _scatter(xp.repeat(share[..., None], kernel_size, axis=-1), length, kernel_size, stride, padding)
