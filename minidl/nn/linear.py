"""``Linear``: y = x W^T + b."""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.nn import init
from minidl.nn.module import Module, Parameter


class Linear(Module):
    """Affine map of the last axis, with PyTorch's names and initialization.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    dtype : numpy dtype, default float32

    Shapes: input [..., in_features] -> output [..., out_features].
    ``weight`` is [out_features, in_features]; ``weight`` and ``bias`` are
    drawn from U(-1/sqrt(in_features), 1/sqrt(in_features)).

    Examples
    --------
    >>> layer = Linear(3, 2)
    >>> layer(minidl.zeros(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, dtype=np.float32):
        super().__init__()
        self.in_features = validate.positive_int("in_features", in_features)
        self.out_features = validate.positive_int("out_features", out_features)
        bound = init.fan_in_bound(self.in_features)
        self.weight = Parameter(init.uniform((out_features, in_features), bound, dtype))
        self.bias = Parameter(init.uniform((out_features,), bound, dtype)) if bias else None

    def forward(self, x):
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear expects inputs with last axis {self.in_features}, got shape {x.shape}"
            )
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
