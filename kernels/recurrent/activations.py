"""Sigmoid and tanh for compiled loops: scalar code that LLVM turns into SIMD code.

Numba calls libm for ``math.exp`` and ``math.tanh``, one element at a
time: here ~4 ns and ~17 ns per float32, against ~0.2 ns for NumPy's SIMD
``np.tanh``. A loop that calls them cannot keep up with NumPy, so the
first compiled gate kernels handed every tanh to NumPy, a whole block at a
time, which splits each step into several passes and calls. This module
computes the two activations from +, *, / and a few bit operations only,
with no branch and no call, so a loop of them vectorizes like any other
arithmetic loop and a whole time step fuses into one pass.

Both come from e^y for y <= 0, computed as the textbooks (Cody and Waite)
do:

    y = n ln2 + r,  n = round(y / ln2),  |r| <= ln2 / 2
    e^y = 2^n e^r = 2^n (1 + q),  q = e^r - 1 = r + r^2/2! + r^3/3! + ...

q is its Taylor series (7 terms in float32, 13 in float64: the first term
left out is below half an ulp), ln2 is split in two parts so that
``y - n ln2`` loses nothing, and 2^n is built from its bits: the float
whose exponent field holds n + bias. Then, for any real a,

    sigmoid(a) = 1 / (1 + e)  for a >= 0,  e / (1 + e)  for a < 0,   e = e^-|a|
    tanh(a) = sign(a) * p / (2 - p),   p = 1 - e^-2|a| = (1 - 2^n) - 2^n q

p is computed from q without forming e^y first, so tanh of a tiny a is
as accurate as tanh of a large one. The same sigmoid formula is NumPy
reference's (``reference.sigmoid``); tanh is within 3 ulp of ``np.tanh``
(tested, ``tests/kernels/test_recurrent_kernels.py``).

Call them from kernels compiled with ``error_model="numpy"``: under
Numba's default ("python") every division checks for a zero divisor, and
that check alone stops the loop from vectorizing.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

LOG2E = 1.4426950408889634  # 1 / ln 2


@intrinsic
def _float_from_bits(typingctx, bits):
    """The float whose bits are ``bits``: int32 -> float32, int64 -> float64 (C's memcpy, or a union)."""
    if bits == types.int32:
        signature, float_type = types.float32(bits), ir.FloatType()
    elif bits == types.int64:
        signature, float_type = types.float64(bits), ir.DoubleType()
    else:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], float_type)

    return signature, codegen


def exp_parts(y):
    """(2^n, q) with e^y = 2^n (1 + q), for y <= 0.

    Below y = -87 (float32) or -708 (float64), where e^y leaves the normal
    floats, 2^n is 0: e^y flushes to zero rather than to a wrong power of two.
    """


@overload(exp_parts, inline="always")
def _exp_parts(y):
    if y == types.float32:
        f = np.float32
        # ln 2 = LN2_HI + LN2_LO, LN2_HI with 9 significant bits so that n * LN2_HI is exact
        low, log2e, ln2_hi, ln2_lo = f(-87.0), f(LOG2E), f(0.693359375), f(-2.12194440e-4)

        def float32_parts(y):
            clamped = max(y, low)
            n = np.floor(clamped * log2e + f(0.5))
            r = (clamped - n * ln2_hi) - n * ln2_lo
            q = r + r * r * (f(1 / 2) + r * (f(1 / 6) + r * (f(1 / 24) + r * (f(1 / 120) + r * (
                f(1 / 720) + r * f(1 / 5040))))))
            scale = _float_from_bits(np.int32((np.int64(n) + 127) << 23))
            return scale * f(y >= low), q

        return float32_parts
    if y == types.float64:
        low, ln2_hi, ln2_lo = -708.0, 0.693145751953125, 1.42860682030941723212e-6

        def float64_parts(y):
            clamped = max(y, low)
            n = np.floor(clamped * LOG2E + 0.5)
            r = (clamped - n * ln2_hi) - n * ln2_lo
            q = r + r * r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (
                1 / 5040 + r * (1 / 40320 + r * (1 / 362880 + r * (1 / 3628800 + r * (
                    1 / 39916800 + r * (1 / 479001600 + r * (1 / 6227020800))))))))))))
            scale = _float_from_bits((np.int64(n) + 1023) << 52)
            return scale * np.float64(y >= low), q

        return float64_parts
    return None


@njit(inline="always")
def sigmoid(a):
    """1 / (1 + e^-a), from e = e^-|a| <= 1 only, as ``reference.sigmoid``."""
    s, q = exp_parts(-abs(a))
    e = s + s * q
    p = type(a)(1) / (type(a)(1) + e)
    return p if a >= 0 else e * p


@njit(inline="always")
def tanh(a):
    """tanh a = sign(a) * (1 - e) / (1 + e) with e = e^-2|a|, from 1 - e computed without cancellation."""
    one = type(a)(1)
    s, q = exp_parts(-(abs(a) + abs(a)))
    p = (one - s) - s * q  # 1 - e^-2|a|, in [0, 1)
    t = p / (one + one - p)
    return t if a >= 0 else -t
