"""The CTC forward-backward of ``reference.py``, compiled with Numba.

Sequences are independent, so they run in parallel (``prange`` over n);
within one sequence the recursions are sequential in t and run over s in a
plain loop. Each sequence takes one of two paths:

1. **Rescaled probabilities** (``_scaled_sequence``, the fast path). The
   log-space recursion pays a scalar exp and log per cell; here alpha and
   beta are plain probabilities, renormalized at every frame so they never
   underflow over many frames (Rabiner's scaling, as Graves's CTC paper
   does it), and the recursion is multiply-adds. The only exps are
   e^(log_probs - frame max), computed for the whole batch by NumPy in SIMD
   lanes. The price: within one frame, cells more than ~708 nats apart
   cannot both be kept. The path checks every cell for exactly that (a
   value that should be positive fell below the smallest normal float64)
   and gives up on the sequence when it happens.
2. **Log space** (``_forward`` / ``_backward``), the reference's recursion,
   for the sequences the first path gave up on: very peaked inputs, and
   targets that do not fit (whose answer, inf, log space states exactly).

Log space spends as few exps and logs as it can:

- Log-sum-exp around the largest term: m + log1p(e^(b-m) + e^(c-m)), two
  exps and one log for three terms, one of each for two. Blank positions
  and labels that may not skip have only two predecessors.
- Only the cells a complete path can use are computed: at frame t a path
  has covered at most 2t + 2 positions, and still needs to reach S' - 2
  in the Tn - t frames left, so s lies in [S' - 2(Tn - t), 2t + 2). The
  others are log 0 (-inf) without arithmetic. (Both paths use this band.)
- beta is never stored whole. The backward pass keeps two rows, t and
  t + 1, and adds the occupancies gamma_t(s) to the gradient as soon as
  beta_t is known, with alpha_t read from the stored [T, S'] table.

Results take the input's dtype. Same names, arguments and results as the
reference; see its docstrings for the equations.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from kernels.threads import serial_when_small


TINY = np.finfo(np.float64).tiny  # the smallest normal float64: below it, digits are lost


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


# ---------------------------------------------------------------- the fast path: probabilities, rescaled per frame
@serial_when_small()
@njit(cache=True, parallel=True)
def _shift_by_frame_max(log_probs, shifted, frame_max):
    """shifted[t, n] = log_probs[t, n] - max_k log_probs[t, n, k] (float64), the max in frame_max[t, n].

    After the shift every exponent is <= 0: e^shifted cannot overflow,
    whatever scale the log-probabilities come in.
    """
    T, N, C = log_probs.shape
    for n in prange(N):
        for t in range(T):
            m = -np.inf
            for k in range(C):
                m = max(m, log_probs[t, n, k])
            frame_max[t, n] = m
            for k in range(C):
                shifted[t, n, k] = log_probs[t, n, k] - m


@njit(cache=True)
def _scaled_sequence(log_probs, y, frame_max, targets, n, Tn, S, blank, need_grad, grad):
    """alpha and beta of sequence n as probabilities rescaled at every frame (Rabiner's scaling).

    ``y`` [T, N, C] holds the probabilities divided by their frame's
    largest, e^(log_probs - frame_max), float64 for any input dtype
    (float32's range ends at e^-87).

    Returns log p(l | x), or nan where this cannot be trusted: a cell whose
    true value is positive came out below the smallest normal float64 (it
    underflowed and lost its digits), or the target does not fit. Then
    nothing is left in ``grad`` and the caller runs the log-space recursion,
    which keeps every cell to full precision however small.

    Forward: alpha_t(s) = y_t(l'_s) (alpha_{t-1}(s) + alpha_{t-1}(s-1) [+ alpha_{t-1}(s-2)]),
    divided by its sum c_t after every frame, so
    log p = sum_t (log c_t + frame_max_t).

    Backward: beta'_t(s), the probability of the frames after t given s at
    t (beta_t / y_t, so no division by y is ever needed), rescaled so its
    largest cell is 1. Every complete path is at exactly one s at frame t, so
    gamma_t(s) = alpha_t(s) beta'_t(s) / sum_s alpha_t(s) beta'_t(s):
    the scale factors cancel within the frame.
    """
    labels = np.empty(S, dtype=np.int64)  # l'_s
    skips = np.empty(S, dtype=np.bool_)  # whether a path may jump from s - 2 to s
    for s in range(S):
        labels[s] = _label(targets, n, s, blank)
        skips[s] = _skip_to(targets, n, s, blank)
    alpha = np.zeros((Tn, S))
    fed = np.empty(S, dtype=np.bool_)  # alpha_t(s) > 0 in exact arithmetic
    log_z = 0.0
    for t in range(Tn):
        if not (-np.inf < frame_max[t, n] < np.inf):  # every class has probability 0 (or inf or nan came in)
            return np.nan
        lo, hi = max(0, S - 2 * (Tn - t)), min(S, 2 * t + 2)  # the band of _in_band
        total = 0.0
        for s in range(lo, hi):
            k = labels[s]
            reach = 1.0 if t == 0 else alpha[t - 1, s]
            if t > 0 and s >= 1:
                reach += alpha[t - 1, s - 1]
            if t > 0 and skips[s]:
                reach += alpha[t - 1, s - 2]
            alpha[t, s] = reach * y[t, n, k]
            fed[s] = reach > 0.0 and log_probs[t, n, k] > -np.inf
            total += alpha[t, s]
        if not (TINY <= total < np.inf):  # the band is empty (target too long), or all underflowed
            return np.nan
        scale = 1.0 / total
        lost = False
        for s in range(lo, hi):
            alpha[t, s] *= scale
            lost |= fed[s] and alpha[t, s] < TINY
        if lost:
            return np.nan
        log_z += math.log(total) + frame_max[t, n]
    log_z += math.log(alpha[Tn - 1, S - 1] + alpha[Tn - 1, S - 2]) if S >= 2 else math.log(alpha[Tn - 1, 0])
    if not need_grad:
        return log_z
    beta = np.zeros(S)  # beta'_t, overwritten in place from t = Tn - 1 down
    carried = np.zeros(S)  # y_{t+1}(l'_s) beta'_{t+1}(s)
    for t in range(Tn - 1, -1, -1):
        lo, hi = max(0, S - 2 * (Tn - t)), min(S, 2 * t + 2)
        lost = False  # a positive value fell below TINY (flags, not early exits, so the loops vectorize)
        if t == Tn - 1:
            for s in range(S):
                beta[s] = 1.0 if s >= S - 2 else 0.0
        else:
            for s in range(S):
                carried[s] = beta[s] * y[t + 1, n, labels[s]]
                lost |= beta[s] > 0.0 and carried[s] < TINY and log_probs[t + 1, n, labels[s]] > -np.inf
            peak = 0.0
            for s in range(lo, hi):
                reach = carried[s]
                if s + 1 < S:
                    reach += carried[s + 1]
                if s + 2 < S and skips[s + 2]:
                    reach += carried[s + 2]
                beta[s] = reach
                peak = max(peak, reach)
            for s in range(0, lo):
                beta[s] = 0.0
            for s in range(hi, S):
                beta[s] = 0.0
            if lost or not TINY <= peak < np.inf:
                return _discard(grad, n, t + 1, Tn)
            scale = 1.0 / peak
            for s in range(lo, hi):
                was_positive = beta[s] > 0.0
                beta[s] *= scale
                lost |= was_positive and beta[s] < TINY
            if lost:
                return _discard(grad, n, t + 1, Tn)
        total = 0.0
        for s in range(lo, hi):
            total += alpha[t, s] * beta[s]
        if not (1e-200 <= total < np.inf):  # occupancies this small may have lost their digits
            return _discard(grad, n, t + 1, Tn)
        scale = 1.0 / total
        for s in range(lo, hi):
            grad[t, n, labels[s]] -= alpha[t, s] * beta[s] * scale
    return log_z


@njit(cache=True)
def _discard(grad, n, first, Tn):
    """Zero what the scaled backward wrote to grad[first:Tn, n] and report failure (nan)."""
    for t in range(first, Tn):
        for k in range(grad.shape[2]):
            grad[t, n, k] = 0.0
    return np.nan


@serial_when_small()
@njit(cache=True, parallel=True)
def _ctc(log_probs, y, frame_max, targets, input_lengths, target_lengths, blank, need_grad, nll, grad):
    T, N, C = log_probs.shape
    for n in prange(N):
        Tn, S = input_lengths[n], 2 * target_lengths[n] + 1
        if Tn == 0:  # no frames: only the empty labelling, with probability 1
            nll[n] = 0.0 if S == 1 else np.inf
            continue
        log_z = _scaled_sequence(log_probs, y, frame_max, targets, n, Tn, S, blank, need_grad, grad)
        if math.isnan(log_z):  # rescaling was not enough (or the target does not fit): exact log space
            alpha = np.empty((Tn, S), dtype=log_probs.dtype)
            log_z = _forward(log_probs, targets, n, Tn, S, blank, alpha)
            if need_grad and log_z > -np.inf:
                _backward(log_probs, targets, n, Tn, S, blank, alpha, log_z, grad)
        nll[n] = -log_z


def _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad):
    log_probs = np.ascontiguousarray(log_probs)
    targets = np.ascontiguousarray(targets, dtype=np.int64).reshape(len(input_lengths), -1)  # [N, S]
    nll = np.zeros(log_probs.shape[1], dtype=log_probs.dtype)
    grad = np.zeros_like(log_probs) if need_grad else np.zeros((0, 0, 0), log_probs.dtype)
    y = np.empty(log_probs.shape)  # float64
    frame_max = np.empty(log_probs.shape[:2])
    _shift_by_frame_max(log_probs, y, frame_max)
    np.exp(y, out=y)  # NumPy's exp runs in SIMD lanes; Numba's is one scalar call per value
    _ctc(log_probs, y, frame_max, targets, np.asarray(input_lengths, np.int64), np.asarray(target_lengths, np.int64),
         int(blank), bool(need_grad), nll, grad)
    return nll, (grad if need_grad else None)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int):
    """See ``reference.ctc_loss``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, False)[0]


def ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths, blank: int, need_grad: bool = True):
    """See ``reference.ctc_loss_and_grad``."""
    return _run(log_probs, targets, input_lengths, target_lengths, blank, need_grad)
