"""Reading labels out of a CTC network's outputs, and scoring them.

A CTC network emits log-probabilities [T, N, C] per frame; the labelling
it means is the one of highest probability,

    l* = argmax_l p(l | x),   p(l | x) = sum over alignments pi of l of prod_t y_t(pi_t),

where an alignment reads as l once repeats are merged and blanks dropped.
No algorithm finds l* exactly in reasonable time; two approximations:

- :func:`greedy_decode` takes the most probable class of every frame
  (the best *alignment*) and reads it as a labelling.
- :func:`beam_search` is the CTC prefix beam search: it grows label
  prefixes frame by frame, keeping for each the total probability of its
  alignments, and only the ``beam_width`` best prefixes. A wide enough beam
  is exact.

:func:`edit_distance` and :func:`token_error_rate` score the results.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from kernels import to_host
from minidl.nn.ctc import check_blank, check_lengths, check_log_probs
from minidl.tensor import Tensor

NEG_INF = -math.inf


def _host_log_probs(log_probs, input_lengths, blank, where: str):
    """log_probs as float64 NumPy [T, N, C] and checked lengths and blank."""
    data = log_probs.data if isinstance(log_probs, Tensor) else log_probs
    if not hasattr(data, "dtype"):
        data = np.asarray(data)
    T, N, C = check_log_probs(data, where)
    lengths = check_lengths("input_lengths", input_lengths, N, where, upper=T)
    return to_host(data).astype(np.float64), lengths, check_blank(blank, C, where)


def collapse(path, blank: int) -> list[int]:
    """B(pi): merge runs of one class, then drop the blanks (B(a a - a b) = a a b)."""
    labels, previous = [], None
    for k in path:
        if k != previous and k != blank:
            labels.append(int(k))
        previous = k
    return labels


def greedy_decode(log_probs, input_lengths, *, blank: int = 0) -> list[list[int]]:
    """Best-path decoding: the most probable class of each frame, collapsed.

    Parameters
    ----------
    log_probs : array or Tensor [T, N, C]
    input_lengths : int array-like [N], each in [0, T]
    blank : int, in [0, C)

    Returns
    -------
    list of N lists of int: B(argmax_k log_probs[t, n, k] for t < input_lengths[n])

    Examples
    --------
    >>> import numpy as np
    >>> path = np.log(0.1 + 0.7 * np.eye(3)[[1, 1, 0, 1, 2, 2]])[:, None, :]  # best: 1 1 - 1 2 2, [6, 1, 3]
    >>> greedy_decode(path, [6])
    [[1, 1, 2]]
    """
    lp, lengths, blank = _host_log_probs(log_probs, input_lengths, blank, "greedy_decode")
    best = lp.argmax(axis=2)  # [T, N]
    return [collapse(best[: lengths[n], n], blank) for n in range(lp.shape[1])]


def _log_add(a: float, b: float) -> float:
    """log(e^a + e^b) for two floats, exact when either is -inf."""
    if a < b:
        a, b = b, a
    return a if b == NEG_INF else a + math.log1p(math.exp(b - a))


def _prefix_beam_search(lp, beam_width: int, blank: int):
    """The best prefix of one sequence and its log-probability. lp: [T, C] float64.

    Each prefix carries two log-probabilities: of its alignments so far
    ending in a blank (p_b) and ending in its last label (p_nb). They are
    kept apart because the next frame treats them differently: a repeat of
    the last label extends the prefix only after a blank (a - a = aa), and
    otherwise merges into it (a a = a).
    """
    beams = {(): (0.0, NEG_INF)}  # prefix -> (log p_b, log p_nb); before any frame: the empty prefix
    # HINT: for each frame, every beam passes its p_b, p_nb on by the four rules in beam_search's docstring (summing with _log_add where several reach one prefix); then keep the beam_width prefixes of highest total (_log_add(p_b, p_nb))
    # BEGIN SOLUTION 4.3
    for y in lp:  # y [C], log y_t
        following = {}

        def add(prefix, blank_part, label_part):
            old_b, old_nb = following.get(prefix, (NEG_INF, NEG_INF))
            following[prefix] = (_log_add(old_b, blank_part), _log_add(old_nb, label_part))

        # Pruning the extensions of each prefix to its beam_width best is
        # exact: a new prefix p + (k,) grows only from p, so it loses to p's
        # beam_width better extensions anyway -- unless it is already a
        # beam, whose own alignments add to it; those are always kept.
        children = {}
        for prefix in beams:
            if prefix:
                children.setdefault(prefix[:-1], []).append(prefix[-1])
        for prefix, (p_b, p_nb) in beams.items():
            total = _log_add(p_b, p_nb)
            last = prefix[-1] if prefix else None
            # blank: the prefix stays, now ending in a blank; the last label again: it stays, merged
            add(prefix, total + y[blank], p_nb + y[last] if last is not None else NEG_INF)
            scores = total + y  # [C] each label appended
            if last is not None:
                scores[last] = p_b + y[last]  # a repeat is a new label only after a blank
            scores[blank] = NEG_INF
            best = np.argsort(-scores, kind="stable")[:beam_width]
            for k in set(best.tolist()) | set(children.get(prefix, [])):
                if scores[k] > NEG_INF:
                    add(prefix + (int(k),), NEG_INF, float(scores[k]))
        ranked = sorted(following.items(), key=lambda item: -_log_add(*item[1]))
        beams = dict(ranked[:beam_width])
    # END SOLUTION
    prefix, (p_b, p_nb) = max(beams.items(), key=lambda item: _log_add(*item[1]))
    return list(prefix), _log_add(p_b, p_nb)


def beam_search(log_probs, input_lengths, *, beam_width: int = 8, blank: int = 0, return_scores: bool = False):
    """CTC prefix beam search: the labelling of highest total probability, approximately.

    At frame t every kept prefix p, with log-probabilities p_b (alignments
    ending in a blank) and p_nb (ending in p's last label), passes on

        p_b(p)       += (p_b + p_nb) y_t(-)                  a blank
        p_nb(p)      += p_nb y_t(last)                       the last label repeated, merged
        p_nb(p + k)  += (p_b + p_nb) y_t(k),  k != last      a new label
        p_nb(p + k)  += p_b y_t(k),           k == last      a repeat, after a blank

    in log space; the ``beam_width`` prefixes of highest p_b + p_nb survive.
    The result's score is log p(l | x) summed over all its alignments, exact
    when no prefix was ever pruned (beam_width at least the number of
    prefixes, e.g. sum_{i <= T} (C - 1)^i).

    Parameters
    ----------
    log_probs : array or Tensor [T, N, C]
    input_lengths : int array-like [N], each in [0, T]
    beam_width : int, >= 1
    blank : int, in [0, C)
    return_scores : bool
        Also return each result's log-probability.

    Returns
    -------
    labels : list of N lists of int
    scores : list of N floats, only with ``return_scores``

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([[0.4, 0.6], [0.4, 0.6]])  # [T=2, C=2]: blank 0, label 1
    >>> labels, scores = beam_search(np.log(y)[:, None, :], [2], return_scores=True)
    >>> labels, round(float(np.exp(scores[0])), 2)  # "1" from 11, 1-, -1: .36 + .24 + .24
    ([[1]], 0.84)
    """
    if isinstance(beam_width, bool) or not isinstance(beam_width, numbers.Integral) or beam_width < 1:
        raise ValueError(f"beam_search: beam_width must be an integer >= 1, got {beam_width!r}")
    lp, lengths, blank = _host_log_probs(log_probs, input_lengths, blank, "beam_search")
    results = [_prefix_beam_search(lp[: lengths[n], n], int(beam_width), blank) for n in range(lp.shape[1])]
    labels = [labelling for labelling, _ in results]
    return (labels, [score for _, score in results]) if return_scores else labels


def _as_sequence(value, what: str):
    """A list of the tokens of a string, list, tuple or 1-D array; else a clear error."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(f"{what} must be a 1-D sequence of tokens, got an array of shape {value.shape}")
        return value.tolist()
    if isinstance(value, (str, list, tuple)):
        return list(value)
    raise TypeError(f"{what} must be a sequence of tokens (str, list, tuple or 1-D array), "
                    f"got {type(value).__name__}: {value!r}")


def edit_distance(reference, hypothesis) -> int:
    """The Levenshtein distance: fewest substitutions, insertions and deletions turning one into the other.

    D[i][j], the distance between the first i reference tokens and the first
    j hypothesis tokens, is

        D[i][j] = min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + [r_i != h_j]),

    with D[i][0] = i and D[0][j] = j. Only one row is kept at a time.

    Parameters
    ----------
    reference, hypothesis : str, list, tuple or 1-D array of tokens

    Returns
    -------
    int

    Examples
    --------
    >>> edit_distance("kitten", "sitting")
    3
    >>> edit_distance([1, 2, 3], [1, 3])
    1
    """
    ref = _as_sequence(reference, "edit_distance: reference")
    hyp = _as_sequence(hypothesis, "edit_distance: hypothesis")
    row = list(range(len(hyp) + 1))  # D[0][j] = j
    for i, r in enumerate(ref, start=1):
        diagonal, row[0] = row[0], i  # D[i-1][0], D[i][0]
        for j, h in enumerate(hyp, start=1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (r != h))
    return row[-1]


def token_error_rate(references, hypotheses) -> float:
    """Total edits over total reference tokens (the word or character error rate, by token).

    Parameters
    ----------
    references, hypotheses : sequences of equal length, of token sequences

    Returns
    -------
    float, >= 0 (above 1 when the hypotheses insert many tokens)

    Examples
    --------
    >>> token_error_rate([[1, 2, 3], [4]], [[1, 3], [4]])  # 1 edit over 4 tokens
    0.25
    """
    references = _as_sequence(references, "token_error_rate: references")
    hypotheses = _as_sequence(hypotheses, "token_error_rate: hypotheses")
    if len(references) != len(hypotheses):
        raise ValueError(f"token_error_rate: {len(references)} references but {len(hypotheses)} hypotheses; "
                         "expected one hypothesis per reference")
    edits = sum(edit_distance(r, h) for r, h in zip(references, hypotheses))
    tokens = sum(len(_as_sequence(r, "token_error_rate: a reference")) for r in references)
    if tokens == 0:
        raise ValueError("token_error_rate: the references hold no tokens, so the rate is undefined")
    return edits / tokens
