"""The CTC forward-backward of ``reference.py``, compiled with Numba.

Sequences are independent, so they run in parallel (``prange`` over n);
within one sequence the recursions are sequential in t and run over s in a
plain loop. Two choices beyond a line-by-line translation:

- Log-sum-exp of the (up to) three predecessors is done once, around their
  maximum: m + log(e^(a-m) + e^(b-m) + e^(c-m)), one log instead of the
  two that nesting ``logaddexp`` would cost.
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
def _log_sum3(a, b, c):
    """log(e^a + e^b + e^c), exact when some (or all) of them are -inf."""
    m = max(a, b, c)
    if m == -np.inf:  # all three are log 0; m - m would be nan
        return m
    return m + math.log(math.exp(a - m) + math.exp(b - m) + math.exp(c - m))


@njit(cache=True, inline="always")
def _label(targets, n, s, blank):
    """l'_s: the blank on even s, target label (s - 1) / 2 on odd s."""
    return blank if s % 2 == 0 else targets[n, s // 2]


@njit(cache=True, inline="always")
def _skip_to(targets, n, s, blank):
    """Whether a path may jump from s - 2 to s: onto a label that differs from the one before."""
    return s % 2 == 1 and s >= 3 and targets[n, s // 2] != targets[n, s // 2 - 1]


@njit(cache=True)
def _forward(log_probs, targets, n, Tn, S, blank, alpha):
    """Fill alpha[:Tn, :S] with log alpha_t(s) of sequence n; return log p(l | x)."""
    neg_inf = log_probs.dtype.type(-np.inf)
    for s in range(S):
        alpha[0, s] = log_probs[0, n, _label(targets, n, s, blank)] if s < 2 else neg_inf
    for t in range(1, Tn):
        for s in range(S):
            step = alpha[t - 1, s - 1] if s >= 1 else neg_inf
            jump = alpha[t - 1, s - 2] if _skip_to(targets, n, s, blank) else neg_inf
            alpha[t, s] = log_probs[t, n, _label(targets, n, s, blank)] + _log_sum3(alpha[t - 1, s], step, jump)
    last = alpha[Tn - 1, S - 2] if S >= 2 else neg_inf
    return _log_sum3(alpha[Tn - 1, S - 1], last, neg_inf)


@njit(cache=True)
def _backward(log_probs, targets, n, Tn, S, blank, alpha, log_z, grad):
    """Run the beta recursion of sequence n and write -gamma into grad[:Tn, n]."""
    neg_inf = log_probs.dtype.type(-np.inf)
    beta = np.full(S, neg_inf)        # beta_t, the row being computed
    beta_next = np.full(S, neg_inf)   # beta_{t+1}
    for t in range(Tn - 1, -1, -1):
        for s in range(S):
            y = log_probs[t, n, _label(targets, n, s, blank)]
            if t == Tn - 1:
                beta[s] = y if s >= S - 2 else neg_inf
            else:
                step = beta_next[s + 1] if s + 1 < S else neg_inf
                jump = beta_next[s + 2] if s + 2 < S and _skip_to(targets, n, s + 2, blank) else neg_inf
                beta[s] = y + _log_sum3(beta_next[s], step, jump)
            # gamma_t(s) = alpha_t(s) beta_t(s) / (y_t(l'_s) p(l|x)), added to its class
            gamma = math.exp(alpha[t, s] + beta[s] - y - log_z)
            grad[t, n, _label(targets, n, s, blank)] -= gamma
        beta, beta_next = beta_next, beta


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
