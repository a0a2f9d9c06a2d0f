"""``Dropout``: zero each input with probability p while training."""
from __future__ import annotations

from minidl import validate
from minidl.nn.module import Module
from minidl.random import generator



def dropout(x, p: float = 0.5, training: bool = True):
    """Inverted dropout: keep each element with probability 1-p, scaled by 1/(1-p).

    The scaling keeps the expected value unchanged, so evaluation needs no
    correction (``training=False`` returns ``x`` itself).
    """
    p = validate.probability("dropout p", p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = generator().random(x.shape) >= p
    mask = x.xp.asarray(keep, dtype=x.dtype) / x.dtype.type(1.0 - p)
    return x * mask


class Dropout(Module):
    """Module form of :func:`dropout`; active only in ``train()`` mode."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = validate.probability("Dropout p", p)

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
