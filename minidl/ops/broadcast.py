"""Undoing broadcasting in backward.

If ``x`` of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass,
each of its elements was used 2 * 4 times, so its gradient is the sum of
the output gradient over the axes broadcasting created or stretched.
"""
from __future__ import annotations


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape``, the shape of an input before broadcasting.

    Parameters
    ----------
    grad : array [broadcast shape]
    shape : tuple
        The input's shape; ``grad.shape`` must be a broadcast of it.

    Returns
    -------
    array [shape]
    """
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    # axes that broadcasting prepended: sum them away
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    # axes of size 1 that broadcasting stretched: sum, keeping the axis
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)
