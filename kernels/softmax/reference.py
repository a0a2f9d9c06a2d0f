"""Softmax cross-entropy of rows of logits, forward and backward, in NumPy.

For one row of logits z [C] and its target class y,

    loss = -log softmax(z)_y = log sum_c e^(z_c) - z_y
         = log sum_c e^(z_c - m) - (z_y - m),     m = max_c z_c,

and the second form never overflows: every exponent is <= 0, and the
largest term is e^0 = 1, so the sum is at least 1 and its log is finite.
The derivative of the loss by z_c is

    softmax(z)_c - [c == y],

so forward keeps e = e^(z - m) and its row sums, p = e / sum(e), and
backward forms p, subtracts one at each row's target and scales the row
by the loss's upstream gradient, all in one pass. Written in array code,
this file runs on CuPy arrays as well.
"""
from __future__ import annotations

from kernels import array_module


def check_problem(z, target) -> None:
    """Logits [M, C] with at least one class (the kernels read each row's first value) and one target
    in [0, C) per row (the kernels index with it unchecked)."""
    if z.ndim != 2 or z.shape[1] == 0:
        raise ValueError(f"softmax_cross_entropy needs logits [M, C] with C >= 1, got shape {z.shape}")
    if target.shape != (z.shape[0],):
        raise ValueError(f"softmax_cross_entropy needs one target per row: {z.shape[0]} rows, "
                         f"targets of shape {target.shape}")
    if target.size and not (0 <= int(target.min()) and int(target.max()) < z.shape[1]):
        bad = target[(target < 0) | (target >= z.shape[1])][0]
        raise ValueError(f"softmax_cross_entropy: target {int(bad)} is not a class of {z.shape[1]} (0 to "
                         f"{z.shape[1] - 1})")


def softmax_cross_entropy(z, target):
    """Per-row losses of logits z [M, C] against classes target [M], and what backward needs.

    Parameters
    ----------
    z : float array [M, C]
    target : int array [M], values in [0, C)

    Returns
    -------
    losses : [M], -log softmax(z)_target of each row
    exp_shifted : [M, C], e^(z - max of the row)
    total : [M], the row sums of exp_shifted (>= 1); softmax(z) = exp_shifted / total[:, None]
    """
    check_problem(z, target)
    xp = array_module(z)
    shifted = z - z.max(axis=1, keepdims=True)  # [M, C], each row's largest is 0
    exp_shifted = xp.exp(shifted)
    total = exp_shifted.sum(axis=1)  # [M], >= 1
    losses = xp.log(total) - shifted[xp.arange(z.shape[0]), target]
    return losses, exp_shifted, total


def softmax_cross_entropy_backward(exp_shifted, total, target, grad):
    """dL/dz [M, C] = (softmax(z) - one_hot(target)) * grad[:, None], for the upstream gradient grad [M]."""
    check_problem(exp_shifted, target)
    xp = array_module(exp_shifted)
    dz = exp_shifted * (grad / total)[:, None]  # softmax(z) * grad
    dz[xp.arange(dz.shape[0]), target] -= grad
    return dz
