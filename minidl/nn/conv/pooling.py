"""Pooling over frames: ``MaxPool1d``, ``AvgPool1d`` (PyTorch's), and ``masked_mean`` for padded batches.

The window arithmetic, forward and backward, is in
``kernels/conv/pool.py``; here are the argument checks, the autograd
nodes and the modules. Layout [N, C, L] (or [C, L]).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernels.conv import output_length, pool
from minidl.function import Function
from minidl.nn.conv.conv import single
from minidl.nn.ctc import check_lengths
from minidl.nn.module import Module
from minidl.tensor import Tensor, as_tensor


@dataclass(frozen=True)
class PoolSettings:
    """Window size, hop and padding on each side; for averages, whether padding counts in the divisor."""

    kernel_size: int
    stride: int
    padding: int
    count_include_pad: bool = True


class MaxPool1dFunction(Function):
    """y = max over each window; the gradient goes to the frame that was the max."""

    def forward(self, x, *, settings: PoolSettings):
        self.length, self.settings = x.shape[2], settings
        y, self.argmax = pool.max_pool1d_forward(x, settings.kernel_size, settings.stride, settings.padding)
        return y

    def backward(self, grad):
        s = self.settings
        return pool.max_pool1d_backward(grad, self.argmax, self.length, s.kernel_size, s.stride, s.padding)


class AvgPool1dFunction(Function):
    """y = mean over each window; each frame of the window gets 1/D of the gradient."""

    def forward(self, x, *, settings: PoolSettings):
        self.length, self.settings = x.shape[2], settings
        return pool.avg_pool1d_forward(x, settings.kernel_size, settings.stride, settings.padding,
                                       settings.count_include_pad)

    def backward(self, grad):
        s = self.settings
        return pool.avg_pool1d_backward(grad, self.length, s.kernel_size, s.stride, s.padding, s.count_include_pad)


class _Pool1d(Module):
    """Shared by the two pools: arguments as PyTorch takes them, checks, [C, L] inputs."""

    function = None  # the autograd node

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad: bool = True):
        super().__init__()
        name = type(self).__name__
        kernel = single(f"{name}: kernel_size", kernel_size)
        hop = kernel if stride is None else single(f"{name}: stride", stride)  # PyTorch: stride defaults to K
        pad = single(f"{name}: padding", padding, allow_zero=True)
        if 2 * pad > kernel:
            raise ValueError(f"{name}: padding={pad} must be at most half of kernel_size={kernel}")
        self.kernel_size, self.stride, self.padding = kernel, hop, pad
        self.settings = PoolSettings(kernel, hop, pad, bool(count_include_pad))

    def forward(self, x):
        name, s = type(self).__name__, self.settings
        x = as_tensor(x)
        if x.ndim not in (2, 3):
            raise ValueError(f"{name} expects input [N, C, L] or [C, L], got shape {x.shape}")
        L = x.shape[-1]
        if output_length(L, s.kernel_size, stride=s.stride, padding=(s.padding, s.padding)) < 1:
            raise ValueError(f"{name}: kernel_size={s.kernel_size} is longer than the padded input's "
                             f"{L + 2 * s.padding} frames (L={L}, padding={s.padding})")
        batched = x if x.ndim == 3 else x.unsqueeze(0)  # [N, C, L]
        y = self.function.apply(batched, settings=s)  # [N, C, L_out]
        return y if x.ndim == 3 else y.squeeze(0)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(_Pool1d):
    """Maximum over windows of ``kernel_size`` frames every ``stride`` frames, as PyTorch's.

    Parameters
    ----------
    kernel_size : int
    stride : int, default kernel_size
    padding : int
        Frames of -inf on each side, at most kernel_size / 2.

    Shapes: [N, C, L] -> [N, C, floor((L + 2 padding - kernel_size) / stride) + 1].

    Examples
    --------
    >>> nn.MaxPool1d(2)(minidl.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]])).numpy()
    array([[[3., 2.]]], dtype=float32)
    """

    function = MaxPool1dFunction

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__(kernel_size, stride, padding)


class AvgPool1d(_Pool1d):
    """Mean over windows of ``kernel_size`` frames every ``stride`` frames, as PyTorch's.

    Parameters
    ----------
    kernel_size : int
    stride : int, default kernel_size
    padding : int
        Frames of zeros on each side, at most kernel_size / 2.
    count_include_pad : bool
        Whether the padding counts in the divisor (PyTorch's default, True).

    Shapes: [N, C, L] -> [N, C, floor((L + 2 padding - kernel_size) / stride) + 1].

    Examples
    --------
    >>> nn.AvgPool1d(2, padding=1)(minidl.tensor([[[1.0, 3.0, 2.0]]])).numpy()
    array([[[0.5, 2.5]]], dtype=float32)
    """

    function = AvgPool1dFunction

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.settings.count_include_pad else ", count_include_pad=False")


def masked_mean(x, lengths) -> Tensor:
    """The mean over the valid frames of each sequence of a padded batch: [N, C, L] -> [N, C].

    mean[n, c] = (1 / lengths[n]) sum_{t < lengths[n]} x[n, c, t], so what
    the padding frames hold never changes a sequence's answer.

    Parameters
    ----------
    x : Tensor [N, C, L]
    lengths : int array-like [N]
        Valid frames of each sequence, each in [1, L].

    Examples
    --------
    >>> x = minidl.tensor([[[1.0, 3.0, 99.0]], [[2.0, 4.0, 6.0]]])  # the first has 2 valid frames
    >>> nn.masked_mean(x, [2, 3]).numpy()
    array([[2.],
           [4.]], dtype=float32)
    """
    x = as_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"masked_mean expects x [N, C, L], got shape {x.shape}")
    N, _, L = x.shape
    lengths = check_lengths("lengths", lengths, N, "masked_mean", upper=L)
    if N and lengths.min() < 1:
        raise ValueError(f"masked_mean: lengths[{int(lengths.argmin())}] = 0; every sequence needs a frame")
    valid = (np.arange(L)[None, :] < lengths[:, None]).astype(x.dtype)[:, None, :]  # [N, 1, L]
    valid, counts = x.xp.asarray(valid), x.xp.asarray(lengths.astype(x.dtype)[:, None])  # counts [N, 1]
    return (x * valid).sum(axis=2) / counts


class MaskedMean(Module):
    """Module form of :func:`masked_mean`: ``forward(x [N, C, L], lengths [N]) -> [N, C]``.

    Examples
    --------
    >>> nn.MaskedMean()(minidl.ones(2, 3, 4), [1, 4]).shape
    (2, 3)
    """

    def forward(self, x, lengths):
        return masked_mean(x, lengths)
