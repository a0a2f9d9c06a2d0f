"""``Dropout``: zero each input with probability p while training."""
from __future__ import annotations

from minidl.nn.module import Module
from minidl.random import generator


def check_probability(name: str, p) -> float:
    """The shared validator for probabilities: a number in [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")
    return float(p)


def dropout(x, p: float = 0.5, training: bool = True):
    """Inverted dropout: keep each element with probability 1-p, scaled by 1/(1-p).

    The scaling keeps the expected value unchanged, so evaluation needs no
    correction (``training=False`` returns ``x`` itself).
    """
    p = check_probability("dropout p", p)
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
        self.p = check_probability("Dropout p", p)

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
