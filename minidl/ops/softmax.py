"""softmax and log_softmax along one axis, numerically stable.

Both subtract the maximum first: softmax(x) = softmax(x - c) for any c, and
with c = max(x) every exponent is <= 0, so nothing overflows.

With s = softmax(x) and an upstream gradient g:

    d softmax:      dx = s * (g - sum(g * s))
    d log_softmax:  dx = g - s * sum(g)

(the sums run over the softmax axis).

log_softmax computes in place where it can. It runs on the largest
arrays of a speech model ([T, N, C] before CTC), and a fresh array of
that size is not free: the allocator hands back memory the OS has to
map again, page by page, which costs more than the arithmetic on it.
"""
from __future__ import annotations

from kernels import array_module
from minidl.function import Function


def _shifted(x, axis):
    return x - x.max(axis=axis, keepdims=True)


class Softmax(Function):
    """s_i = e^{x_i} / sum_j e^{x_j}."""

    def forward(self, x, axis=-1):
        self.axis = axis
        e = array_module(x).exp(_shifted(x, axis))
        self.out = e / e.sum(axis=axis, keepdims=True)
        return self.out

    def backward(self, grad):
        s = self.out
        return s * (grad - (grad * s).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """log s_i = x_i - log sum_j e^{x_j}."""

    def forward(self, x, axis=-1):
        xp = array_module(x)
        self.axis = axis
        z = _shifted(x, axis)
        self.exp_z = xp.exp(z)  # kept: backward needs s = e^z / sum e^z, and exp costs more than a product
        self.sum_exp = self.exp_z.sum(axis=axis, keepdims=True)
        z -= xp.log(self.sum_exp)  # in place: z is ours, and each fresh array
        return z  # of this size costs page faults (see the module docstring)

    def backward(self, grad):
        xp = array_module(grad)
        dx = self.exp_z * (grad.sum(axis=self.axis, keepdims=True) / self.sum_exp)  # s * sum(g)
        return xp.subtract(grad, dx, out=dx)  # g - s * sum(g), in dx's memory
