"""CTC test problems shared by the kernel, loss and decoding tests.

``problems`` draws CTC inputs with Hypothesis (repeated labels, blank first
or last, empty targets, targets too long for their frames, zero-length
inputs); ``labelling_log_probs`` is the definition of p(l | x) by brute
force: every one of the C^T alignments, collapsed and summed.
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


def labelling_log_probs(log_probs, blank: int) -> dict:
    """{labelling: log p(labelling | x)} for one sequence, log_probs [T, C], by enumerating alignments."""
    T, C = log_probs.shape
    totals = {}
    for path in itertools.product(range(C), repeat=T):
        labelling = tuple(k for k, _ in itertools.groupby(path) if k != blank)  # merge runs, drop blanks
        totals[labelling] = np.logaddexp(totals.get(labelling, -np.inf), log_probs[np.arange(T), path].sum())
    return totals
