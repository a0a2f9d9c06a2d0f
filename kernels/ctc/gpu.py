"""The CTC forward-backward of ``reference.py`` on the GPU (CUDA C in ``ctc.cu``).

Same names, arguments and results as the reference, on CuPy arrays. Two
kernels, each with one block per sequence and threads over the
extended-label positions s: ``ctc_alpha`` fills the alpha table and the
losses, ``ctc_beta_grad`` runs beta backwards and writes the gradient as
it goes. The alpha and beta tables live in global-memory workspaces
[N, T, S'], S' = 2 S + 1.

Importing this module does not import CuPy; calling it needs a GPU.
"""
from __future__ import annotations

import pathlib

import numpy as np

from kernels import cuda

SOURCE = pathlib.Path(__file__).with_name("ctc.cu")
TEMPLATES = ("ctc_alpha", "ctc_beta_grad")
MAX_THREADS = 256  # per block; a longer extended labelling is covered by striding over s


def _threads(positions: int) -> int:
    """Threads for one sequence: a whole number of warps covering the positions, at most MAX_THREADS."""
    return int(min(MAX_THREADS, 32 * max(1, -(-positions // 32))))


def _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad):
    cupy = cuda.cupy()
    log_probs = cuda.on_device(log_probs)
    T, N, C = log_probs.shape
    targets = cuda.on_device(targets, np.int64).reshape(N, -1)  # [N, S_pad]
    input_lengths = cuda.on_device(input_lengths, np.int64)
    target_lengths = cuda.on_device(target_lengths, np.int64)
    S_pad = targets.shape[1]
    row = 2 * S_pad + 1
    nll = cupy.zeros(N, dtype=log_probs.dtype)
    if N == 0:  # no blocks to launch
        return nll, (cupy.zeros_like(log_probs) if need_grad else None)
    options = (np.int32(T), np.int32(N), np.int32(C), np.int32(S_pad), np.int32(blank))
    grid, block = (N,), (_threads(row),)
    log_alpha = cupy.empty((N, T, row), dtype=log_probs.dtype)
    alpha_kernel = cuda.kernel(SOURCE, TEMPLATES, "ctc_alpha", log_probs.dtype)
    alpha_kernel(grid, block, (log_probs, targets, input_lengths, target_lengths, log_alpha, nll) + options)
    if not need_grad:
        return nll, None
    log_beta = cupy.empty_like(log_alpha)
    grad = cupy.zeros_like(log_probs)
    beta_kernel = cuda.kernel(SOURCE, TEMPLATES, "ctc_beta_grad", log_probs.dtype)
    beta_kernel(grid, block, (log_probs, targets, input_lengths, target_lengths, log_alpha, nll, log_beta, grad)
                + options)
    return nll, grad


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int):
    """See ``reference.ctc_loss``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, False)[0]


def ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths, blank: int, need_grad: bool = True):
    """See ``reference.ctc_loss_and_grad``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad)
