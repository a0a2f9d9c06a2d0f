"""Elementwise functions and their derivatives.

Each backward multiplies the incoming gradient by f'(x), written in terms
of whatever forward already computed (exp and tanh reuse their output).
Where f is not differentiable (abs at 0, relu at 0, clip at its bounds) we
pick PyTorch's subgradient so results agree exactly.
"""
from __future__ import annotations

from kernels import array_module
from minidl.function import Function


class Cast(Function):
    """y = x in another floating dtype (``Tensor.astype``);  dy/dx = 1.

    The gradient goes back in x's own dtype, as with PyTorch's ``.to(dtype)``:
    a float64 leaf read through a float32 cast still gets a float64 gradient.
    """

    def forward(self, x, dtype=None):
        self.in_dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.in_dtype)


class Exp(Function):
    """y = e^x;  dy/dx = e^x = y."""

    def forward(self, x):
        self.out = array_module(x).exp(x)
        return self.out

    def backward(self, grad):
        # HINT: d/dx e^x = e^x, which forward kept as self.out
        # BEGIN SOLUTION 1.3
        return grad * self.out
        # END SOLUTION


class Log(Function):
    """y = ln x;  dy/dx = 1/x."""

    def forward(self, x):
        self.x = x
        return array_module(x).log(x)

    def backward(self, grad):
        # HINT: d/dx ln x = 1/x
        # BEGIN SOLUTION 1.3
        return grad / self.x
        # END SOLUTION


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x))."""

    def forward(self, x):
        self.out = array_module(x).sqrt(x)
        return self.out

    def backward(self, grad):
        return grad / (2 * self.out)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x) (0 at x = 0, as in PyTorch)."""

    def forward(self, x):
        self.x = x
        return array_module(x).abs(x)

    def backward(self, grad):
        return grad * array_module(grad).sign(self.x)


class Clip(Function):
    """y = min(max(x, low), high);  dy/dx = 1 where low <= x <= high, else 0."""

    def forward(self, x, low=None, high=None):
        if low is None and high is None:
            raise ValueError("clip needs at least one of min and max, got neither")
        if low is not None and high is not None and low > high:
            raise ValueError(f"clip: min={low} is greater than max={high}")
        xp = array_module(x)
        self.passes = xp.ones(x.shape, dtype=bool)
        if low is not None:
            self.passes &= x >= low
        if high is not None:
            self.passes &= x <= high
        return xp.clip(x, low, high)

    def backward(self, grad):
        return grad * self.passes


class Tanh(Function):
    """y = tanh x;  dy/dx = 1 - y^2."""

    def forward(self, x):
        self.out = array_module(x).tanh(x)
        return self.out

    def backward(self, grad):
        # HINT: d/dx tanh x = 1 - tanh(x)^2
        # BEGIN SOLUTION 1.3
        return grad * (1 - self.out * self.out)
        # END SOLUTION


def stable_sigmoid(x):
    """1 / (1 + e^-x) without overflow: only e^-|x| <= 1 is ever computed."""
    xp = array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  dy/dx = y (1 - y)."""

    def forward(self, x):
        self.out = stable_sigmoid(x)
        return self.out

    def backward(self, grad):
        # HINT: d/dx sigma(x) = sigma(x) (1 - sigma(x))
        # BEGIN SOLUTION 1.3
        return grad * self.out * (1 - self.out)
        # END SOLUTION


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0."""

    def forward(self, x):
        self.positive = x > 0
        return array_module(x).maximum(x, 0)

    def backward(self, grad):
        return grad * self.positive
