"""sum, mean, max, min over some axes.

Backward of a reduction sends each output gradient back to the elements it
was computed from: to all of them for a sum, 1/n of it to each for a mean,
and to the maximal elements for a max (split evenly between ties, like
PyTorch's ``amax``).
"""
from __future__ import annotations

from kernels import array_module
from minidl.function import Function

# Sum and Mean return read-only broadcast views as gradients; the engine
# never writes into a gradient in place, so that is safe and saves a copy.


def normalize_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} axes")
    return tuple(sorted({a % max(ndim, 1) for a in axes}))


def _expand(grad, in_shape: tuple, axes: tuple, keepdims: bool):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if not keepdims:
        kept = [1 if i in axes else n for i, n in enumerate(in_shape)]
        grad = grad.reshape(kept)  # reduced axes back as size 1
    return grad


class Sum(Function):
    """z = sum_i x_i;  dz/dx_i = 1."""

    def forward(self, x, axis=None, keepdims=False):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        return x.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        grad = _expand(grad, self.shape, self.axes, self.keepdims)
        # HINT: every x_i gets the gradient of the sum: spread grad (reduced axes restored above) over x's shape
        # BEGIN SOLUTION 1.4
        return array_module(grad).broadcast_to(grad, self.shape)
        # END SOLUTION


class Mean(Function):
    """z = (1/n) sum_i x_i;  dz/dx_i = 1/n."""

    def forward(self, x, axis=None, keepdims=False):
        self.shape, self.keepdims = x.shape, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        self.count = 1
        for a in self.axes:
            self.count *= x.shape[a]
        return x.mean(axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        grad = _expand(grad, self.shape, self.axes, self.keepdims)
        # HINT: like sum, but each of the self.count averaged elements gets 1/count of it
        # BEGIN SOLUTION 1.4
        return array_module(grad).broadcast_to(grad / self.count, self.shape)
        # END SOLUTION


class Max(Function):
    """z = max_i x_i;  dz/dx_i = 1/k for the k maximal elements, else 0."""

    def forward(self, x, axis=None, keepdims=False):
        self.x, self.keepdims = x, keepdims
        self.axes = normalize_axes(axis, x.ndim)
        if x.size == 0:
            raise ValueError(f"{type(self).__name__.lower()}() of an empty tensor of shape {x.shape}")
        self.out = self._reduce(x)
        return self.out if keepdims else self.out.squeeze(axis=self.axes)

    def _reduce(self, x):
        return x.max(axis=self.axes, keepdims=True)

    def backward(self, grad):
        grad = _expand(grad, self.x.shape, self.axes, self.keepdims)
        is_extreme = self.x == self.out  # self.out kept its reduced axes
        ties = is_extreme.sum(axis=self.axes, keepdims=True)
        return is_extreme * (grad / ties)


class Min(Max):
    """z = min_i x_i; the same backward as Max, with the minimal elements."""

    def _reduce(self, x):
        return x.min(axis=self.axes, keepdims=True)

