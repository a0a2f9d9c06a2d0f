"""+ - * / ** neg and matrix multiplication.

Binary ops broadcast like NumPy; their backward sums each gradient back to
its input's shape (:func:`unbroadcast`).
"""
from __future__ import annotations

import numpy as np

import kernels

from minidl.errors import ShapeError
from minidl.function import Function
from minidl.ops.broadcast import unbroadcast


class Add(Function):
    """z = a + b;  dz/da = 1, dz/db = 1."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, grad):
        return unbroadcast(grad, self.shapes[0]), unbroadcast(grad, self.shapes[1])


class Sub(Function):
    """z = a - b;  dz/da = 1, dz/db = -1."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, grad):
        return unbroadcast(grad, self.shapes[0]), unbroadcast(-grad, self.shapes[1])


class Mul(Function):
    """z = a * b;  dz/da = b, dz/db = a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        a, b = self.a, self.b
        # HINT: return (dL/da, dL/db), each summed back to its input's shape with unbroadcast
        # BEGIN SOLUTION 1.1
        return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)
        # END SOLUTION


class Div(Function):
    """z = a / b;  dz/da = 1/b, dz/db = -a/b^2."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, grad):
        a, b = self.a, self.b
        # HINT: dz/da = 1/b and dz/db = -a/b^2; sum each back to its input's shape with unbroadcast
        # BEGIN SOLUTION 1.1
        return unbroadcast(grad / b, a.shape), unbroadcast(-grad * a / (b * b), b.shape)
        # END SOLUTION


class Pow(Function):
    """z = a ** b;  dz/da = b a^(b-1), dz/db = a^b log(a)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, grad):
        a, b = self.a, self.b
        grad_a = unbroadcast(grad * b * a ** (b - 1), a.shape)
        grad_b = None
        # log(a) is only defined for a > 0: compute it only when b needs it
        # (x ** 2 has a constant exponent and must work for negative x).
        if self.needs_input_grad[1]:
            xp = kernels.array_module(a)
            grad_b = unbroadcast(grad * self.out * xp.log(a), b.shape)
        return grad_a, grad_b


class Neg(Function):
    """z = -a;  dz/da = -1."""

    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class MatMul(Function):
    """Z = A @ B with NumPy's rules: batched over leading axes, 1-D operands allowed.

    For matrices, dL/dA = dL/dZ @ B^T and dL/dB = A^T @ dL/dZ. A 1-D ``a``
    is treated as a row (1, k) and a 1-D ``b`` as a column (k, 1); the
    leading (batch) axes broadcast and are summed back in backward.
    """

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"matmul needs operands with at least one axis, got shapes {a.shape} and {b.shape}"
            )
        self.a_shape, self.b_shape = a.shape, b.shape
        a2 = a if a.ndim > 1 else a.reshape(1, -1)  # (k,) -> (1, k)
        b2 = b if b.ndim > 1 else b.reshape(-1, 1)  # (k,) -> (k, 1)
        if a2.shape[-1] != b2.shape[-2]:
            raise ShapeError(
                f"matmul: shapes {a.shape} and {b.shape} do not fit: the last axis of the "
                f"first ({a2.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                f"axis of the second ({b2.shape[-2]})"
            )
        try:
            batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        except ValueError:
            raise ShapeError(
                f"matmul: batch axes of shapes {a.shape} and {b.shape} do not broadcast"
            ) from None
        self.a2, self.b2 = a2, b2
        self.out2_shape = batch + (a2.shape[-2], b2.shape[-1])
        return a @ b

    def backward(self, grad):
        a2, b2 = self.a2, self.b2
        grad2 = grad.reshape(self.out2_shape)  # restore the axes 1-D operands dropped
        grad_a = grad_b = None
        if self.needs_input_grad[0]:
            # HINT: dL/dA = dL/dZ @ B^T, summed over broadcast batch axes, in A's original shape
            # BEGIN SOLUTION 1.2
            grad_a = unbroadcast(grad2 @ b2.swapaxes(-1, -2), a2.shape).reshape(self.a_shape)
            # END SOLUTION
        if self.needs_input_grad[1]:
            # HINT: dL/dB = A^T @ dL/dZ, summed over broadcast batch axes, in B's original shape
            # BEGIN SOLUTION 1.2
            grad_b = unbroadcast(a2.swapaxes(-1, -2) @ grad2, b2.shape).reshape(self.b_shape)
            # END SOLUTION
        return grad_a, grad_b
