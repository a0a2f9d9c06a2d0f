"""minidl.decode: greedy and prefix beam search against brute force, edit distance, errors.

Brute force enumerates all C^T alignments of a tiny problem (T <= 5,
C <= 3) and sums them per labelling: a beam wide enough never to prune
must return the labelling of highest total, with that total as its score.
"""
from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minidl
from minidl import decode
from minidl.decode import beam_search, edit_distance, greedy_decode, token_error_rate
from tests.ctc_problems import labelling_log_probs


@st.composite
def tiny(draw, max_T=5, max_C=3):
    T, N, C = draw(st.integers(1, max_T)), draw(st.integers(1, 3)), draw(st.integers(2, max_C))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    logits = rng.standard_normal((T, N, C)) * draw(st.sampled_from([0.5, 2.0]))
    log_probs = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)  # log_softmax
    lengths = np.array(draw(st.lists(st.integers(0, T), min_size=N, max_size=N)))
    return log_probs, lengths, draw(st.sampled_from([0, C - 1]))


@settings(max_examples=25)
@given(problem=tiny())
def test_wide_beam_finds_the_most_probable_labelling(problem):
    log_probs, lengths, blank = problem
    labels, scores = beam_search(log_probs, lengths, beam_width=100, blank=blank, return_scores=True)
    for n, length in enumerate(lengths):
        totals = labelling_log_probs(log_probs[:length, n], blank)
        best = max(totals, key=totals.get)
        assert abs(scores[n] - totals[best]) <= 1e-10, (scores[n], totals[best])
        assert abs(totals[tuple(labels[n])] - totals[best]) <= 1e-10  # the best, or tied with it
        assert abs(scores[n] - totals[tuple(labels[n])]) <= 1e-10  # its own total, all alignments summed


@settings(max_examples=15)
@given(problem=tiny(max_T=5, max_C=3), beam_width=st.integers(1, 3))
def test_narrow_beam_scores_its_labelling_at_most_the_truth(problem, beam_width):
    log_probs, lengths, blank = problem
    labels, scores = beam_search(log_probs, lengths, beam_width=beam_width, blank=blank, return_scores=True)
    for n, length in enumerate(lengths):
        totals = labelling_log_probs(log_probs[:length, n], blank)
        assert scores[n] <= totals[tuple(labels[n])] + 1e-10  # a pruned beam loses alignments, never gains


@given(problem=tiny(max_T=8, max_C=5))
def test_greedy_is_the_argmax_path_collapsed(problem):
    log_probs, lengths, blank = problem
    for n, hypothesis in enumerate(greedy_decode(minidl.tensor(log_probs), lengths, blank=blank)):
        path = log_probs[: lengths[n], n].argmax(axis=1)
        merged = [k for k, _ in itertools.groupby(path.tolist())]
        assert hypothesis == [k for k in merged if k != blank]


def test_greedy_and_beam_can_disagree():
    # the best path is "-" twice (0.36) but "1" has 0.64 over three alignments
    y = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))[:, None, :]
    assert greedy_decode(y, [2]) == [[]]
    assert beam_search(y, [2]) == [[1]]


@pytest.mark.parametrize("reference, hypothesis, distance", [
    ("", "", 0), ("abc", "", 3), ("", "ab", 2), ("kitten", "sitting", 3), ([1, 2, 3], [3, 2, 1], 2),
    ((1, 1, 2), np.array([1, 2]), 1), ("flaw", "lawn", 2),
])
def test_edit_distance(reference, hypothesis, distance):
    assert edit_distance(reference, hypothesis) == distance
    assert edit_distance(hypothesis, reference) == distance


def test_token_error_rate_is_total_edits_over_total_tokens():
    assert token_error_rate(["abcd", "ef"], ["abd", "xef"]) == 2 / 6
    assert token_error_rate([[1]], [[2, 3, 4]]) == 3.0


LOG_PROBS = np.log(np.full((3, 2, 4), 0.25))


@pytest.mark.parametrize("call, error, words", [
    (lambda: greedy_decode(LOG_PROBS[0], [3, 3]), ValueError, "log_probs must be [T, N, C]"),
    (lambda: greedy_decode(LOG_PROBS, [3]), ValueError, "input_lengths must hold one length per sequence"),
    (lambda: greedy_decode(LOG_PROBS, [3, 4]), ValueError, "input_lengths[1] = 4 is out of range"),
    (lambda: greedy_decode(LOG_PROBS, [3, 3], blank=4), ValueError, "blank=4 is outside [0, 4)"),
    (lambda: greedy_decode(LOG_PROBS.astype(int), [3, 3]), TypeError, "must be floating point"),
    (lambda: beam_search(LOG_PROBS, [3, 2.5]), TypeError, "input_lengths must hold integers"),
    (lambda: beam_search(LOG_PROBS, [3, 3], beam_width=0), ValueError, "beam_width must be an integer >= 1, got 0"),
    (lambda: beam_search(LOG_PROBS, [3, 3], beam_width=2.0), ValueError, "got 2.0"),
    (lambda: beam_search(LOG_PROBS, [3, 3], blank=-1), ValueError, "blank=-1 is outside"),
    (lambda: edit_distance("abc", 5), TypeError, "hypothesis must be a sequence of tokens"),
    (lambda: edit_distance(np.zeros((2, 2)), "ab"), ValueError, "shape (2, 2)"),
    (lambda: token_error_rate(["a", "b"], ["a"]), ValueError, "2 references but 1 hypotheses"),
    (lambda: token_error_rate(["", ""], ["a", ""]), ValueError, "the references hold no tokens"),
    (lambda: token_error_rate("ab", 3), TypeError, "hypotheses must be a sequence"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(decode)
    assert tried >= 6 and failures == 0
