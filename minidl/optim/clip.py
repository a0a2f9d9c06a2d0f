"""Gradient clipping, applied between backward() and step()."""
from __future__ import annotations

import math

from kernels import array_module
from minidl import validate


def _with_grads(parameters) -> list:
    if hasattr(parameters, "grad"):  # a single tensor
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their global norm is at most ``max_norm``.

    The norm is taken over all gradients as if concatenated into one vector.
    Gradients are scaled by max_norm / (norm + 1e-6) when that is below 1
    (PyTorch's rule). Returns the norm before clipping.
    """
    max_norm = validate.non_negative("max_norm", max_norm)
    params = _with_grads(parameters)
    if not params:
        return 0.0
    if norm_type == math.inf:
        total = max(float(abs(p.grad).max()) for p in params)
    else:
        norm_type = validate.non_negative("norm_type", norm_type)
        per_param = [float((abs(p.grad) ** norm_type).sum()) for p in params]
        total = sum(per_param) ** (1.0 / norm_type)
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            p.grad = p.grad * p.grad.dtype.type(coef)
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient element into [-clip_value, clip_value]."""
    clip_value = validate.non_negative("clip_value", clip_value)
    for p in _with_grads(parameters):
        p.grad = array_module(p.grad).clip(p.grad, -clip_value, clip_value)
