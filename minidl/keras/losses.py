"""Keras loss names, computed with minidl's tensor ops.

When the model ends in a softmax (or sigmoid), the loss is computed from
the scores before it (``from_logits``): log_softmax is exact where
log(softmax) underflows. Otherwise the outputs are taken as probabilities
and clipped to [1e-7, 1 - 1e-7], as Keras does.
"""
from __future__ import annotations

import numpy as np

from minidl.nn.losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss
from minidl.tensor import Tensor

EPSILON = 1e-7  # Keras's clip for probabilities


def categorical_crossentropy(scores, y, *, from_logits: bool):
    """mean over the batch of -sum_c y_c log p_c; y [B, C] (one-hot or soft)."""
    y = np.asarray(y)
    if y.ndim != 2 or y.shape != scores.shape:
        raise ValueError(f"categorical_crossentropy expects one-hot targets of shape {scores.shape}, got {y.shape}; "
                         "use to_categorical(labels) or loss='sparse_categorical_crossentropy'")
    log_p = scores.log_softmax(axis=-1) if from_logits else scores.clip(EPSILON, 1 - EPSILON).log()
    return -(Tensor(y.astype(scores.dtype)) * log_p).sum(axis=-1).mean()


def sparse_categorical_crossentropy(scores, y, *, from_logits: bool):
    """The same with integer class labels y [B]."""
    y = np.asarray(y).reshape(-1).astype(np.int64)
    if from_logits:
        return cross_entropy(scores, y)
    log_p = scores.clip(EPSILON, 1 - EPSILON).log()
    return -log_p[np.arange(len(y)), y].mean()


def binary_crossentropy(scores, y, *, from_logits: bool):
    """mean of -(y log p + (1-y) log(1-p)) over every output."""
    y = np.asarray(y, dtype=scores.dtype).reshape(scores.shape)
    if from_logits:
        return binary_cross_entropy_with_logits(scores, y)
    p = scores.clip(EPSILON, 1 - EPSILON)
    return -(Tensor(y) * p.log() + Tensor(1 - y) * (1 - p).log()).mean()


def mean_squared_error(outputs, y, *, from_logits: bool):
    """mean of (y - outputs)^2; the outputs are used as they are."""
    return mse_loss(outputs, Tensor(np.asarray(y, dtype=outputs.dtype).reshape(outputs.shape)))


BY_NAME = {
    "categorical_crossentropy": (categorical_crossentropy, "softmax"),
    "sparse_categorical_crossentropy": (sparse_categorical_crossentropy, "softmax"),
    "binary_crossentropy": (binary_crossentropy, "sigmoid"),
    "mse": (mean_squared_error, None),
    "mean_squared_error": (mean_squared_error, None),
}


def get(name: str):
    """(loss function, the final activation whose scores it can take as logits)."""
    if name not in BY_NAME:
        raise ValueError(f"loss must be one of {sorted(BY_NAME)}, got {name!r}")
    return BY_NAME[name]
