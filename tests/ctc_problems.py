"""CTC test problems shared by the kernel, loss and decoding tests.

``problems`` draws CTC inputs with Hypothesis (repeated labels, blank first
or last, empty targets, targets too long for their frames, zero-length
inputs); ``labelling_log_probs`` is the definition of p(l | x) by brute
force: every one of the C^T alignments, collapsed and summed; and
``brute_force_log_alpha`` / ``brute_force_log_beta`` are the forward and
backward variables by the same enumeration (for the classroom's CTC tasks).
"""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st


@st.composite
def problems(draw, max_T=10, max_N=4, max_C=5, max_S=5, min_input_length=0):
    """A dict: log_probs [T, N, C] float64 (unnormalized), padded targets [N, S], lengths [N], blank."""
    T = draw(st.integers(1, max_T))
    N = draw(st.integers(1, max_N))
    C = draw(st.integers(2, max_C))
    blank = draw(st.sampled_from([0, C - 1]))
    S = draw(st.integers(0, max_S))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    labels = np.array([k for k in range(C) if k != blank])
    # few distinct labels, so that equal neighbours (which need a blank between) are common
    targets = rng.choice(labels[: draw(st.integers(1, len(labels)))], size=(N, S))
    return dict(
        log_probs=rng.standard_normal((T, N, C)) * draw(st.sampled_from([0.5, 3.0])),
        targets=targets,
        input_lengths=np.array(draw(st.lists(st.integers(min_input_length, T), min_size=N, max_size=N))),
        target_lengths=np.array(draw(st.lists(st.integers(0, S), min_size=N, max_size=N))),
        blank=int(blank),
    )


def ending_log_probs(log_probs, blank: int) -> dict:
    """{(labelling, ends in a blank): log p} for one sequence, log_probs [T, C], T >= 1, by enumerating alignments.

    Kept apart by the last frame's class because that is what the positions
    of the extended labelling tell apart: after t + 1 frames, an alignment
    of l_1..l_j sits on s = 2j if its last class is the blank, else on 2j - 1.
    """
    T, C = log_probs.shape
    totals = {}
    for path in itertools.product(range(C), repeat=T):
        labelling = tuple(k for k, _ in itertools.groupby(path) if k != blank)  # merge runs, drop blanks
        key = (labelling, path[-1] == blank)
        totals[key] = np.logaddexp(totals.get(key, -np.inf), log_probs[np.arange(T), path].sum())
    return totals


def labelling_log_probs(log_probs, blank: int) -> dict:
    """{labelling: log p(labelling | x)} for one sequence, log_probs [T, C], by enumerating alignments."""
    if len(log_probs) == 0:
        return {(): 0.0}  # no frames: the empty alignment, read as the empty labelling
    totals = {}
    for (labelling, _), log_p in ending_log_probs(log_probs, blank).items():
        totals[labelling] = np.logaddexp(totals.get(labelling, -np.inf), log_p)
    return totals


def brute_force_log_alpha(log_probs, target, blank: int) -> np.ndarray:
    """log alpha_t(s) [T, 2S + 1] of one sequence by its definition: the alignments of the first t + 1 frames
    that read as l_1..l_j and end on a blank (s = 2j) or on l_j (s = 2j - 1)."""
    T, S = len(log_probs), len(target)
    alpha = np.full((T, 2 * S + 1), -np.inf)
    for t in range(T):
        totals = ending_log_probs(log_probs[: t + 1], blank)
        for j in range(S + 1):
            prefix = tuple(target[:j])
            alpha[t, 2 * j] = totals.get((prefix, True), -np.inf)
            if j:
                alpha[t, 2 * j - 1] = totals.get((prefix, False), -np.inf)
    return alpha


def brute_force_log_beta(log_probs, target, blank: int) -> np.ndarray:
    """log beta_t(s) [T, 2S + 1] by brute force: read backwards, the alignments that start on s at t
    are those of the reversed labelling that end on S' - 1 - s at T - 1 - t."""
    return brute_force_log_alpha(log_probs[::-1], list(target)[::-1], blank)[::-1, ::-1]
