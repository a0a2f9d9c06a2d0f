"""Softmax cross-entropy of ``reference.py``, compiled with Numba: one pass per row.

The reference makes four passes over the [M, C] logits (max, subtract,
exp, sum), each a NumPy call with its own temporary, and NumPy reduces
rows of a few dozen classes slowly (a reduction along the last axis
restarts for every short row). Here each row is read into cache and
finished there: its max, then e^(z - max) written out while summing it,
then the log. Backward is one pass too. Rows are independent and run in
parallel (``prange``; one thread for small inputs, ``kernels.threads``).

The exponential is ``activations.exp_parts``, written so LLVM vectorizes
the loop (Numba's ``math.exp`` is a scalar libm call per value). The sums
and the max are allowed to reassociate (``fastmath``): lanes add partial
sums, so a row's total differs from NumPy's pairwise sum by rounding only
(within a few ulp; tested against the reference). NaN and +inf logits give
NaN losses, as in the reference.
"""
from __future__ import annotations

import math

import numpy as np
from numba import prange

from kernels.caching import njit_cached
from kernels.recurrent import activations
from kernels.recurrent.activations import exp_parts
from kernels.softmax.reference import check_problem
from kernels.threads import serial_when_small

# "contract" lets LLVM fuse a * b + c into one FMA instruction (exp's polynomial is a chain of them),
# "reassoc" and "nsz" let it keep several partial sums (and maxima) in SIMD lanes.
compiled = njit_cached(activations, parallel=True, error_model="numpy", fastmath={"reassoc", "nsz", "contract"})


@serial_when_small(0)
@compiled
def _row_max(z, largest):
    for m in prange(z.shape[0]):
        row_largest = z[m, 0]
        for c in range(1, z.shape[1]):
            row_largest = max(row_largest, z[m, c])  # a NaN is skipped here: _exp_and_sum catches it
        largest[m] = row_largest


@serial_when_small(0)
@compiled
def _exp_and_sum(z, target, largest, losses, exp_shifted, total):
    for m in prange(z.shape[0]):
        row_total = z.dtype.type(0)
        nan = False
        for c in range(z.shape[1]):
            y = z[m, c] - largest[m]  # <= 0; NaN for a NaN logit, or a +inf one (inf - inf)
            nan |= y != y
            scale, q = exp_parts(y)  # e^y = scale (1 + q); -inf gives 0
            e = scale + scale * q
            exp_shifted[m, c] = e
            row_total += e
        total[m] = np.nan if nan else row_total  # as NumPy's max would: NaN in, NaN out
        losses[m] = math.log(total[m]) - (z[m, target[m]] - largest[m])


@serial_when_small(0)
@compiled
def _backward(exp_shifted, total, target, grad, dz):
    for m in prange(exp_shifted.shape[0]):
        g = grad[m]
        scale = g / total[m]
        for c in range(exp_shifted.shape[1]):
            dz[m, c] = exp_shifted[m, c] * scale  # softmax(z) * g
        dz[m, target[m]] -= g


def softmax_cross_entropy(z, target):
    """``reference.softmax_cross_entropy``, compiled: (losses [M], exp_shifted [M, C], total [M])."""
    target = np.ascontiguousarray(target, dtype=np.int64)
    check_problem(z, target)
    z = np.ascontiguousarray(z)
    largest, losses, total = (np.empty(z.shape[0], dtype=z.dtype) for _ in range(3))
    exp_shifted = np.empty_like(z)
    _row_max(z, largest)  # two passes: fused into one loop, LLVM vectorized neither (measured 1.5x slower)
    _exp_and_sum(z, target, largest, losses, exp_shifted, total)
    return losses, exp_shifted, total


def softmax_cross_entropy_backward(exp_shifted, total, target, grad):
    """``reference.softmax_cross_entropy_backward``, compiled: dz [M, C]."""
    target = np.ascontiguousarray(target, dtype=np.int64)
    check_problem(exp_shifted, target)
    dz = np.empty_like(exp_shifted)
    _backward(exp_shifted, total, target,
              np.ascontiguousarray(grad, dtype=exp_shifted.dtype), dz)
    return dz
