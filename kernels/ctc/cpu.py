"""The CTC forward-backward of ``reference.py``, compiled with Numba.

Sequences are independent, so they run in parallel (``prange`` over n);
within one sequence the recursions are sequential in t and run over s in a
plain loop. Scalar exp and log (libm, one call each) are the whole cost, so
the code spends as few as it can:

- Log-sum-exp around the largest term: m + log1p(e^(b-m) + e^(c-m)), two
  exps and one log for three terms, one of each for two. Blank positions
  and labels that may not skip have only two predecessors.
- Only the cells a complete path can use are computed: at frame t a path
  has covered at most 2t + 2 positions, and still needs to reach S' - 2
  in the Tn - t frames left, so s lies in [S' - 2(Tn - t), 2t + 2). The
  others are log 0 (-inf) without arithmetic.
- beta is never stored whole. The backward pass keeps two rows, t and
  t + 1, and adds the occupancies gamma_t(s) to the gradient as soon as
  beta_t is known, with alpha_t read from the stored [T, S'] table.

Constants take the arrays' dtype so float32 stays float32. Same names,
arguments and results as the reference; see its docstrings for the
equations.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _log_add(a, b):
    """log(e^a + e^b), exact when either (or both) is -inf."""
    if a < b:
        a, b = b, a
    if b == -np.inf:  # also when both are: a - a would be nan
        return a
    return a + math.log1p(math.exp(b - a))


@njit(cache=True, inline="always")
def _log_add3(a, b, c):
    """log(e^a + e^b + e^c) around the largest, exact with -inf terms."""
    if a < b:
        a, b = b, a
    if a < c:
        a, c = c, a
    if a == -np.inf:
        return a
    return a + math.log1p(math.exp(b - a) + math.exp(c - a))


@njit(cache=True, inline="always")
def _label(targets, n, s, blank):
    """l'_s: the blank on even s, target label (s - 1) / 2 on odd s."""
    return blank if s % 2 == 0 else targets[n, s // 2]


@njit(cache=True, inline="always")
def _skip_to(targets, n, s, blank):
    """Whether a path may jump from s - 2 to s: onto a label that differs from the one before."""
    return s % 2 == 1 and s >= 3 and targets[n, s // 2] != targets[n, s // 2 - 1]


@njit(cache=True, inline="always")
def _in_band(s, t, Tn, S):
    """Whether a complete path can be on s at frame t (see the module docstring)."""
    return S - 2 * (Tn - t) <= s < 2 * t + 2


@njit(cache=True)
def _forward(log_probs, targets, n, Tn, S, blank, alpha):
    """Fill alpha[:Tn, :S] with log alpha_t(s) of sequence n; return log p(l | x)."""
    neg_inf = log_probs.dtype.type(-np.inf)
    for s in range(S):
        alpha[0, s] = log_probs[0, n, _label(targets, n, s, blank)] if _in_band(s, 0, Tn, S) else neg_inf
    for t in range(1, Tn):
        prev, here = alpha[t - 1], alpha[t]
        for s in range(S):
            if not _in_band(s, t, Tn, S):
                here[s] = neg_inf
                continue
            if _skip_to(targets, n, s, blank):
                reach = _log_add3(prev[s], prev[s - 1], prev[s - 2])
            else:
                reach = _log_add(prev[s], prev[s - 1]) if s >= 1 else prev[s]
            here[s] = log_probs[t, n, _label(targets, n, s, blank)] + reach
    return _log_add(alpha[Tn - 1, S - 1], alpha[Tn - 1, S - 2]) if S >= 2 else alpha[Tn - 1, 0]


@njit(cache=True)
def _backward(log_probs, targets, n, Tn, S, blank, alpha, log_z, grad):
    """Run the beta recursion of sequence n and write -gamma into grad[:Tn, n]."""
    neg_inf = log_probs.dtype.type(-np.inf)
    rows = np.empty((2, S), dtype=log_probs.dtype)  # beta_t and beta_{t+1}, by the parity of t
    for t in range(Tn - 1, -1, -1):
        beta, beta_next = rows[t % 2], rows[(t + 1) % 2]
        for s in range(S):
            if not _in_band(s, t, Tn, S):
                beta[s] = neg_inf
                continue
            k = _label(targets, n, s, blank)
            y = log_probs[t, n, k]
            if t == Tn - 1:
                beta[s] = y  # the band at the last frame is the last blank and the last label
            else:
                if s + 2 < S and _skip_to(targets, n, s + 2, blank):
                    reach = _log_add3(beta_next[s], beta_next[s + 1], beta_next[s + 2])
                else:
                    reach = _log_add(beta_next[s], beta_next[s + 1]) if s + 1 < S else beta_next[s]
                beta[s] = y + reach
            # gamma_t(s) = alpha_t(s) beta_t(s) / (y_t(l'_s) p(l|x)), added to its class
            grad[t, n, k] -= math.exp(alpha[t, s] + beta[s] - y - log_z)


@njit(cache=True, parallel=True)
def _ctc(log_probs, targets, input_lengths, target_lengths, blank, need_grad, nll, grad):
    T, N, C = log_probs.shape
    for n in prange(N):
        Tn, S = input_lengths[n], 2 * target_lengths[n] + 1
        if Tn == 0:  # no frames: only the empty labelling, with probability 1
            nll[n] = 0.0 if S == 1 else np.inf
            continue
        alpha = np.empty((Tn, S), dtype=log_probs.dtype)  # one table per sequence (per thread)
        log_z = _forward(log_probs, targets, n, Tn, S, blank, alpha)
        nll[n] = -log_z
        if need_grad and log_z > -np.inf:
            _backward(log_probs, targets, n, Tn, S, blank, alpha, log_z, grad)


def _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad):
    log_probs = np.ascontiguousarray(log_probs)
    targets = np.ascontiguousarray(targets, dtype=np.int64).reshape(len(input_lengths), -1)  # [N, S]
    nll = np.zeros(log_probs.shape[1], dtype=log_probs.dtype)
    grad = np.zeros_like(log_probs) if need_grad else np.zeros((0, 0, 0), log_probs.dtype)
    _ctc(log_probs, targets, np.asarray(input_lengths, np.int64), np.asarray(target_lengths, np.int64),
         int(blank), bool(need_grad), nll, grad)
    return nll, (grad if need_grad else None)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int):
    """See ``reference.ctc_loss``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, False)[0]


def ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths, blank: int, need_grad: bool = True):
    """See ``reference.ctc_loss_and_grad``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad)
