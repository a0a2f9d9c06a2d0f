"""Softmax cross-entropy on the GPU: the reference's array code on CuPy arrays.

Every step of ``reference.py`` is one of CuPy's own elementwise or
reduction kernels (max, exp, sum, log, a gather and a scatter), so the
GPU needs no CUDA C of ours for it. Importing this module does not import CuPy.
"""
from __future__ import annotations

from kernels.softmax.reference import softmax_cross_entropy, softmax_cross_entropy_backward  # noqa: F401
