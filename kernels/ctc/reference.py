"""CTC forward-backward in log space, in plain NumPy (the textbook version).

Connectionist Temporal Classification (Graves et al., 2006) scores a label
sequence l = (l_1, ..., l_S) against T frames of class scores without
knowing which frame carries which label. An *alignment* is one class per
frame; it reads as l once repeated classes are merged and blanks dropped
(B(a a - b) = B(a - b b) = ab). The probability of l sums over them:

    p(l | x) = sum_{pi in B^-1(l)} prod_t y_t(pi_t),   y_t(k) = exp(log_probs[t, k]).

The sum is computed on the *extended labelling* l' = (-, l_1, -, l_2, ...,
l_S, -), length S' = 2S + 1, where - is the blank. A path moves through l'
one frame at a time: it stays on s, steps to s + 1, or skips the blank
between two labels (s - 2 -> s) when l'_s is a label and l'_s != l'_{s-2}
(two equal labels in a row need the blank between them).

Forward variables: alpha_t(s) is the total probability of the paths that
cover frames 0..t and end on s at t:

    alpha_0(0) = y_0(-),   alpha_0(1) = y_0(l_1),   alpha_0(s) = 0 otherwise
    alpha_t(s) = y_t(l'_s) [alpha_{t-1}(s) + alpha_{t-1}(s-1) + [skip ok] alpha_{t-1}(s-2)]
    p(l | x)   = alpha_{T-1}(S'-1) + alpha_{T-1}(S'-2).

Backward variables beta_t(s), the paths that start on s at t and cover
t..T-1, are the mirror image. Both include y_t(l'_s), so for every t

    sum_s alpha_t(s) beta_t(s) / y_t(l'_s) = p(l | x).

Gradient. p(l | x) is a sum of products of y's, and d(prod)/d(log y) is
the product itself, so with L = -log p(l | x) and gamma_t(s) =
alpha_t(s) beta_t(s) / (y_t(l'_s) p(l | x)) (the occupancy of s at t):

    dL / dlog_probs[t, k] = - sum_{s : l'_s = k} gamma_t(s).

This is the true gradient with respect to ``log_probs``, whatever they
are: they need not be normalized. Everything runs on logarithms (products
become sums, sums become log-sum-exp), since the probabilities themselves
underflow after a few hundred frames.

Shapes: T frames, N sequences, C classes, S the padded target length.
The compiled copies in ``cpu.py`` (Numba) and ``gpu.py`` (CuPy) compute
exactly this and are tested against it.
"""
from __future__ import annotations

import numpy as np


def extended_labels(target, blank: int) -> np.ndarray:
    """l' = (blank, l_1, blank, l_2, ..., l_S, blank), int64 [2S + 1]."""
    ext = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    ext[1::2] = target
    return ext


def can_skip(ext) -> np.ndarray:
    """bool [S']: whether a path may jump from s - 2 straight to s.

    Only onto a label (odd s), and only when it differs from the label two
    back; between two equal labels the blank is compulsory.
    """
    skip = np.zeros(len(ext), dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    return skip


def _shift(row, by: int, fill=-np.inf):
    """row moved ``by`` places to the right, ``fill`` (log 0 by default) filling the gap."""
    out = np.full_like(row, fill)
    out[by:] = row[: len(row) - by]
    return out


def log_alpha(y, skip) -> np.ndarray:
    """The forward variables log alpha_t(s) of one sequence.

    Parameters
    ----------
    y : [T, S']  log y_t(l'_s), the log-probability of each extended label
    skip : bool [S'], from :func:`can_skip`

    Returns
    -------
    [T, S']
    """
    T, S = y.shape
    alpha = np.full((T, S), -np.inf, dtype=y.dtype)
    # HINT: alpha_0 starts on s = 0 or 1; then each row is y_t plus the log-sum-exp of the row before at s, s - 1 and, where skip allows, s - 2 (_shift moves a row right, filling log 0)
    # BEGIN SOLUTION 4.1
    alpha[0, :2] = y[0, :2]  # start on the first blank or on the first label
    with np.errstate(invalid="ignore"):  # logaddexp(-inf, -inf) = -inf, as it should
        for t in range(1, T):
            prev = alpha[t - 1]
            jump = np.where(skip, _shift(prev, 2), -np.inf)
            alpha[t] = y[t] + np.logaddexp(np.logaddexp(prev, _shift(prev, 1)), jump)
    # END SOLUTION
    return alpha


def log_beta(y, skip) -> np.ndarray:
    """The backward variables log beta_t(s) of one sequence: :func:`log_alpha` run backwards.

    Parameters
    ----------
    y : [T, S']
    skip : bool [S']

    Returns
    -------
    [T, S']
    """
    # Reversing s and t turns beta into alpha: a path ending on the last
    # blank or label backwards is one starting there. A skip s -> s + 2 is
    # allowed when s + 2 may be reached by a skip, i.e. skip[s + 2].
    return log_alpha(y[::-1, ::-1], _shift(skip[::-1], 2, fill=False))[::-1, ::-1]


def _log_likelihood(alpha) -> float:
    """log p(l | x): the paths that end on the last blank or the last label."""
    return np.logaddexp.reduce(alpha[-1, -2:])


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int):
    """The negative log-likelihood -log p(l_n | x_n) of each sequence.

    Parameters
    ----------
    log_probs : float [T, N, C]
    targets : int [N, S]  padded; row n holds its labels in the first target_lengths[n]
    input_lengths, target_lengths : int [N]
    blank : int

    Returns
    -------
    nll : [N], log_probs' dtype; inf where no alignment fits in the frames
    """
    return ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths, blank, need_grad=False)[0]


def ctc_loss_and_grad(log_probs, targets, input_lengths, target_lengths, blank: int, need_grad: bool = True):
    """The losses of :func:`ctc_loss` and their gradients with respect to ``log_probs``.

    Returns
    -------
    nll : [N]
    grad : [T, N, C]  d nll_n / d log_probs[t, n, k]; 0 for t >= input_lengths[n]
        and for a sequence whose nll is inf (the gradient of an impossible
        alignment is undefined: the caller decides what it means).
        None when ``need_grad`` is False.
    """
    T, N, C = log_probs.shape
    nll = np.zeros(N, dtype=log_probs.dtype)
    grad = np.zeros_like(log_probs) if need_grad else None
    for n in range(N):
        Tn, Sn = int(input_lengths[n]), int(target_lengths[n])
        ext = extended_labels(targets[n, :Sn], blank)
        if Tn == 0:  # no frames: only the empty labelling, with probability 1
            nll[n] = 0.0 if Sn == 0 else np.inf
            continue
        y = log_probs[:Tn, n, ext]  # [Tn, S'] log y_t(l'_s)
        skip = can_skip(ext)
        alpha = log_alpha(y, skip)
        log_z = _log_likelihood(alpha)
        nll[n] = -log_z
        if need_grad and np.isfinite(log_z):
            grad[:Tn, n] = occupancy_gradient(alpha, log_beta(y, skip), y, log_z, ext, C)
    return nll, grad


def occupancy_gradient(alpha, beta, y, log_z, ext, n_classes: int) -> np.ndarray:
    """dL/dlog_probs of one sequence, L = -log p(l | x), from its alpha and beta tables.

    Parameters
    ----------
    alpha, beta : [T, S']  log alpha_t(s) and log beta_t(s)
    y : [T, S']  log y_t(l'_s)
    log_z : float  log p(l | x), finite
    ext : int [S']  the extended labelling l'
    n_classes : int  C

    Returns
    -------
    [T, C]: -sum over the s with l'_s = k of gamma_t(s) (the module docstring's gradient)
    """
    # HINT: gamma_t(s) = alpha_t(s) beta_t(s) / (y_t(l'_s) p(l|x)): exponentiate its log; then each class k gets minus the sum of gamma over the positions s that are k
    # BEGIN SOLUTION 4.2
    gamma = np.exp(alpha + beta - y - log_z)  # [T, S'] occupancy of s at t
    one_hot = ext[:, None] == np.arange(n_classes)  # [S', C]: which class each s is
    return -gamma @ one_hot
    # END SOLUTION
