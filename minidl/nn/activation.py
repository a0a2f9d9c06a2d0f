"""Activation functions as modules, for use in ``Sequential``."""
from __future__ import annotations

from minidl.nn.module import Module


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x):
        return x.relu()


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x):
        return x.tanh()


class Sigmoid(Module):
    """1 / (1 + e^-x)."""

    def forward(self, x):
        return x.sigmoid()


class Softmax(Module):
    """softmax along ``dim`` (PyTorch's argument name)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.softmax(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax along ``dim``."""

    def forward(self, x):
        return x.log_softmax(self.dim)


class Identity(Module):
    """Returns its input."""

    def forward(self, x):
        return x
