"""Keras's ``to_categorical``."""
from __future__ import annotations

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32") -> np.ndarray:
    """One-hot rows from integer labels: [N] -> [N, num_classes].

    >>> to_categorical([0, 2])
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise ValueError(f"to_categorical expects non-negative integer labels, got {y.dtype} values")
    num_classes = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and y.max() >= num_classes:
        raise ValueError(f"label {int(y.max())} does not fit num_classes={num_classes}")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y.reshape(-1)] = 1
    return out.reshape(*y.shape, num_classes)
