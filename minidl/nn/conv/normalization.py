"""``BatchNorm1d`` and ``LayerNorm``, with PyTorch's arguments, names, buffers and updates.

Both normalize to zero mean and unit variance and then scale and shift,

    y = (x - mean) / sqrt(var + eps) * weight + bias,

and differ in what the statistics are taken over: batch norm over the
batch (and frames), per channel; layer norm over the last axes, per
example. Both are compositions of differentiable tensor ops (mean,
subtraction, sqrt, ...), so their backward is the chain rule through
those ops, and matches PyTorch's closed form to rounding.
"""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.nn.module import Module, Parameter
from minidl.tensor import Tensor, as_tensor


def normalize(x: Tensor, axes: tuple, eps: float, mean=None, var=None) -> Tensor:
    """(x - mean) / sqrt(var + eps); the biased mean and variance over ``axes`` unless given (arrays)."""
    if mean is None:
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)  # biased: divides by the count
        return centered / (var + eps).sqrt()
    return (x - mean) / x.xp.sqrt(var + eps)


class BatchNorm1d(Module):
    """Batch normalization over [N, C] or [N, C, L], per channel, as PyTorch's.

    In training mode each channel is normalized by the mean and biased
    variance of the batch (over N, and L when present), and the running
    estimates move towards the batch's:

        running_mean <- (1 - momentum) running_mean + momentum mean
        running_var  <- (1 - momentum) running_var  + momentum var * m / (m - 1)   (unbiased, m values)

    (``momentum=None``: the cumulative average, momentum = 1 / num_batches_tracked.)
    In evaluation mode the running estimates normalize instead (unless
    ``track_running_stats=False``, where the batch's are always used).

    Parameters
    ----------
    num_features : int
        C, the channels.
    eps : float
    momentum : float or None
    affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros), each [C].
    track_running_stats : bool
        Keep buffers ``running_mean`` (zeros), ``running_var`` (ones) and
        ``num_batches_tracked`` (int64), saved in ``state_dict``.
    dtype : numpy dtype, default float32

    Examples
    --------
    >>> bn = nn.BatchNorm1d(2)
    >>> y = bn(minidl.tensor(np.array([[1.0, 10.0], [3.0, 30.0]], dtype=np.float32)))
    >>> y.numpy().round(3), bn.running_mean.numpy()
    (array([[-1., -1.],
           [ 1.,  1.]], dtype=float32), array([0.2, 2. ], dtype=float32))
    >>> list(bn.state_dict())
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, *, dtype=np.float32):
        super().__init__()
        self.num_features = validate.positive_int("num_features", num_features)
        self.eps = validate.non_negative("eps", eps)
        self.momentum = None if momentum is None else validate.probability("momentum", momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        tracked = self.track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64) if tracked else None)

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}) expects input [N, {self.num_features}] or "
                             f"[N, {self.num_features}, L], got shape {x.shape}")
        axes = (0,) if x.ndim == 2 else (0, 2)
        per_channel = (1, -1) if x.ndim == 2 else (1, -1, 1)  # [C] broadcast against x
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            count = x.size // self.num_features
            if self.training and count <= 1:
                raise ValueError(f"BatchNorm1d: expected more than 1 value per channel when training, "
                                 f"got input of shape {x.shape}")
            y = normalize(x, axes, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(x.data, axes, count)
        else:
            y = normalize(x, axes, self.eps, self.running_mean.data.reshape(per_channel),
                          self.running_var.data.reshape(per_channel))
        if self.affine:
            y = y * self.weight.reshape(*per_channel) + self.bias.reshape(*per_channel)
        return y

    def _update_running_stats(self, data, axes, count):
        """Move the buffers towards this batch's statistics (not part of the graph)."""
        self.num_batches_tracked.data = self.num_batches_tracked.data + 1
        factor = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked.data)
        mean = data.mean(axis=axes)  # [C]
        unbiased = data.var(axis=axes) * (count / (count - 1))
        dtype = self.running_mean.dtype
        self.running_mean.data = ((1 - factor) * self.running_mean.data + factor * mean).astype(dtype)
        self.running_var.data = ((1 - factor) * self.running_var.data + factor * unbiased).astype(dtype)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Layer normalization over the last axes, per example, as PyTorch's.

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape normalized over, e.g. C for [N, L, C].
    eps : float
    elementwise_affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros) of ``normalized_shape``.
    bias : bool
        With ``elementwise_affine``, whether there is a ``bias``.
    dtype : numpy dtype, default float32

    Examples
    --------
    >>> nn.LayerNorm(2)(minidl.tensor([[1.0, 3.0], [5.0, 5.0]])).numpy().round(3)
    array([[-1.,  1.],
           [ 0.,  0.]], dtype=float32)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 *, dtype=np.float32):
        super().__init__()
        shape = (normalized_shape,) if not isinstance(normalized_shape, (tuple, list)) else normalized_shape
        self.normalized_shape = tuple(validate.positive_int("normalized_shape", n) for n in shape)
        self.eps = validate.non_negative("eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype)) if elementwise_affine and bias else None

    def forward(self, x):
        x = as_tensor(x)
        k = len(self.normalized_shape)
        if x.shape[x.ndim - k:] != self.normalized_shape or x.ndim < k:
            raise ValueError(f"LayerNorm expects input [..., {', '.join(map(str, self.normalized_shape))}], "
                             f"got shape {x.shape}")
        y = normalize(x, tuple(range(x.ndim - k, x.ndim)), self.eps)
        if self.weight is not None:
            y = y * self.weight
        return y + self.bias if self.bias is not None else y

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
