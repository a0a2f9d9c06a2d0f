"""``Linear``: y = x W^T + b, one op with its backward beside it."""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.function import Function
from minidl.nn import init
from minidl.nn.module import Module, Parameter


class LinearFunction(Function):
    """y = x W^T + b over the last axis of x; any leading axes are rows.

    With the leading axes flattened into rows (X [N, in], G = dL/dy [N, out]):

        dL/dX = G W        dL/dW = G^T X        dL/db = sum of G's rows

    The same three products ``x @ weight.T + bias`` would record as a
    transpose, a matmul and a broadcast add; one op records one node, makes
    one output array (the bias is added into it) and runs one matrix product
    over all rows, however many leading axes x has.
    """

    def forward(self, x, weight, bias=None):
        self.x, self.weight = x, weight
        out = x.reshape(-1, x.shape[-1]) @ weight.T  # [N, out]: one product for every row
        if bias is not None:
            out += bias  # into the fresh product: no second array
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    def backward(self, grad):
        x, weight = self.x, self.weight
        rows = grad.reshape(-1, weight.shape[0])  # G [N, out]
        grad_x = (rows @ weight).reshape(x.shape) if self.needs_input_grad[0] else None  # [..., in]
        grad_weight = rows.T @ x.reshape(-1, x.shape[-1]) if self.needs_input_grad[1] else None  # [out, in]
        if len(self.needs_input_grad) == 2:  # no bias
            return grad_x, grad_weight
        grad_bias = rows.sum(axis=0) if self.needs_input_grad[2] else None  # [out]
        return grad_x, grad_weight, grad_bias


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
        if self.bias is None:
            return LinearFunction.apply(x, self.weight)
        return LinearFunction.apply(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
