"""Ops that move values around without changing them.

reshape, permute, indexing, concat, stack and where. Their backward moves
the gradient back the same way: reshape it back, permute it back, scatter
it back into the indexed positions, split it, or route it to the branch
that was chosen.
"""
from __future__ import annotations

import numpy as np

from kernels import array_module
from minidl.errors import ShapeError
from minidl.function import Function
from minidl.ops.broadcast import unbroadcast


class Reshape(Function):
    """Same values, new shape; backward reshapes the gradient back."""

    def forward(self, x, shape=()):
        self.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) into {tuple(shape)}"
            ) from None

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Permute(Function):
    """Reorder axes; backward applies the inverse permutation."""

    def forward(self, x, axes=()):
        axes = tuple(a % max(x.ndim, 1) for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise ShapeError(
                f"permute: {axes} is not a permutation of the {x.ndim} axes of shape {x.shape}"
            )
        self.inverse = tuple(int(i) for i in np.argsort(axes))
        return x.transpose(axes)

    def backward(self, grad):
        return grad.transpose(self.inverse)


class GetItem(Function):
    """``x[index]`` with basic slices and integer arrays.

    Backward scatters the gradient into a zero array of x's shape. An
    integer array may repeat an index, so the scatter *adds* (``add.at``):
    an element picked twice gets both gradients.
    """

    def forward(self, x, index=None):
        self.in_shape, self.dtype, self.index = x.shape, x.dtype, index
        return x[index]

    def backward(self, grad):
        xp = array_module(grad)
        full = xp.zeros(self.in_shape, dtype=self.dtype)
        if xp is np:
            np.add.at(full, self.index, grad)
        else:  # CuPy spells add.at as scatter_add
            import cupyx

            cupyx.scatter_add(full, self.index, grad)
        return full


class Concat(Function):
    """Join tensors along an existing axis; backward splits the gradient."""

    def forward(self, *xs, axis=0):
        self.sizes = [x.shape[axis] for x in xs]
        self.axis = axis
        return array_module(*xs).concatenate(xs, axis=axis)

    def backward(self, grad):
        bounds = np.cumsum(self.sizes)[:-1]
        return tuple(array_module(grad).split(grad, bounds, axis=self.axis))


class Stack(Function):
    """Join tensors along a new axis; backward takes each slice back out."""

    def forward(self, *xs, axis=0):
        self.axis, self.count = axis, len(xs)
        return array_module(*xs).stack(xs, axis=axis)

    def backward(self, grad):
        xp = array_module(grad)
        return tuple(xp.take(grad, i, axis=self.axis) for i in range(self.count))


class Where(Function):
    """``condition ? a : b`` elementwise; each branch gets the gradient where chosen."""

    def forward(self, a, b, condition=None):
        self.condition, self.shapes = condition, (a.shape, b.shape)
        return array_module(a, b).where(condition, a, b)

    def backward(self, grad):
        zero = grad.dtype.type(0)
        xp = array_module(grad)
        grad_a = xp.where(self.condition, grad, zero)
        grad_b = xp.where(self.condition, zero, grad)
        return unbroadcast(grad_a, self.shapes[0]), unbroadcast(grad_b, self.shapes[1])


def concat(tensors, axis: int = 0):
    """Join tensors along an existing ``axis`` (``torch.cat``).

    Parameters
    ----------
    tensors : sequence of Tensor [..., n_i, ...]
    axis : int

    Returns
    -------
    Tensor [..., sum_i n_i, ...]
    """
    if len(tensors) == 0:
        raise ValueError("concat needs at least one tensor, got an empty sequence")
    shapes = [np.shape(t.data if hasattr(t, "data") else t) for t in tensors]
    ndim = len(shapes[0])
    axis_n = axis % max(ndim, 1)
    for s in shapes:
        if len(s) != ndim or any(s[i] != shapes[0][i] for i in range(ndim) if i != axis_n):
            raise ShapeError(f"concat along axis {axis}: shapes {shapes} differ off that axis")
    return Concat.apply(*tensors, axis=axis_n)


def stack(tensors, axis: int = 0):
    """Join equally shaped tensors along a new ``axis`` (``torch.stack``).

    Parameters
    ----------
    tensors : sequence of Tensor [shape]
    axis : int

    Returns
    -------
    Tensor [shape with len(tensors) inserted at axis]
    """
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor, got an empty sequence")
    shapes = {np.shape(t.data if hasattr(t, "data") else t) for t in tensors}
    if len(shapes) > 1:
        raise ShapeError(f"stack needs tensors of one shape, got shapes {sorted(shapes)}")
    ndim = len(shapes.pop()) + 1
    return Stack.apply(*tensors, axis=axis % ndim)


def where(condition, a, b):
    """Elementwise ``a`` where ``condition`` holds, else ``b`` (broadcasting).

    ``condition`` is a boolean array or tensor; no gradient flows into it.
    """
    condition = condition.data if hasattr(condition, "data") else condition
    return Where.apply(a, b, condition=array_module(condition).asarray(condition, dtype=bool))
