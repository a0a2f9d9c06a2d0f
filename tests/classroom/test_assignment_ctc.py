"""Assignment 4 (ctc): the graded tests, one pytest marker per task.

Task 4.1 checks ``log_alpha`` against its definition, the alignments of
the first t + 1 frames enumerated one by one (``tests/ctc_problems.py``),
at every frame t and position s, and the loss it gives against PyTorch's.
Task 4.2 hands ``occupancy_gradient`` alpha and beta computed by that same
enumeration, so it is graded independently of task 4.1, and checks the
gradient frame by frame against central differences of the brute-force
loss and against PyTorch's through ``log_softmax``. Task 4.3 checks the
prefix beam search against the labelling of highest total probability,
found by brute force, on the first 1, 2, ..., T frames, so a report names
the first frame after which the search goes wrong.

The kernels are called from ``kernels.ctc.reference`` directly: the
default backend runs the compiled copy in ``kernels/ctc/cpu.py``, which is
not part of the assignment. Everything runs in float64.
"""
from __future__ import annotations

import numpy as np
import pytest

from kernels.ctc import reference
from minidl.classroom.time_checks import check_frames
from minidl.decode import beam_search
from minidl.gradcheck import central_difference
from tests.ctc_problems import brute_force_log_alpha, brute_force_log_beta, labelling_log_probs


def log_softmax(logits):
    return logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)


# (T, C, blank, target): distinct labels that may skip the blank, equal ones that may not,
# the blank as the last class, the empty target, a target that fills every frame, one too long
CASES = {
    "ab": (4, 3, 0, [1, 2]),
    "aa": (5, 3, 0, [1, 1]),
    "blank last": (5, 3, 2, [0, 1, 0]),
    "empty target": (3, 2, 0, []),
    "no frame to spare": (3, 3, 0, [1, 1]),
    "one frame": (1, 3, 0, [2]),
    "aba": (6, 3, 0, [2, 1, 2]),
    "too long": (2, 3, 0, [1, 1]),
}
POSSIBLE = [name for name in CASES if name != "too long"]


def problem(name, seed=0):
    """log_probs [T, C] (log-softmaxed, sharp enough that some alignments dominate), target, blank."""
    T, C, blank, target = CASES[name]
    rng = np.random.default_rng(seed + sum(map(ord, name)))
    return log_softmax(2.0 * rng.standard_normal((T, C))), np.array(target, dtype=np.int64), blank


def positions(ext, blank):
    """Names of the extended-label positions, for the reports: "s=3 (label 2)"."""
    return [f"s={s} ({'blank' if k == blank else f'label {k}'})" for s, k in enumerate(ext)]


def classes(n_classes, blank):
    return [f"k={k}" + (" (blank)" if k == blank else "") for k in range(n_classes)]


def tables(log_probs, target, blank):
    """(extended labelling, skip, y [T, S']) of one sequence, from the given helpers."""
    ext = reference.extended_labels(target, blank)
    return ext, reference.can_skip(ext), log_probs[:, ext]


def assert_passes(record_property, check):
    check.record(record_property)
    assert check.passed, check.describe()


# ---------------------------------------------------------------- task 4.1
@pytest.mark.task4_1
@pytest.mark.parametrize("name", list(CASES))
def test_alpha_is_the_sum_over_partial_alignments(record_property, name):
    log_probs, target, blank = problem(name)
    ext, skip, y = tables(log_probs, target, blank)
    check = check_frames("alpha", reference.log_alpha(y, skip), brute_force_log_alpha(log_probs, target, blank),
                         positions(ext, blank), log_space=True)
    assert_passes(record_property, check)


@pytest.mark.task4_1
def test_loss_matches_pytorch(record_property):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(41)
    T, N, C, blank = 12, 4, 5, 0
    log_probs = log_softmax(rng.standard_normal((T, N, C)))
    targets = np.array([[1, 2, 2, 3], [4, 4, 4, 0], [1, 3, 0, 0], [2, 0, 0, 0]])
    input_lengths, target_lengths = np.array([12, 9, 7, 1]), np.array([4, 3, 2, 1])
    ours = reference.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank)
    theirs = torch.nn.functional.ctc_loss(torch.tensor(log_probs), torch.tensor(targets), torch.tensor(input_lengths),
                                          torch.tensor(target_lengths), blank=blank, reduction="none").numpy()
    err = np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs))
    record_property("worst_rel_error", float(err.max()))
    wrong = np.flatnonzero(~(err <= 1e-10))
    assert not wrong.size, f"-log p(l | x) of sequence {wrong[0]}: {ours[wrong[0]]!r}, PyTorch's {theirs[wrong[0]]!r}"


# ---------------------------------------------------------------- task 4.2
def gradient_from_definitions(log_probs, target, blank):
    """The student's occupancy_gradient [T, C], fed alpha and beta by brute force (not by task 4.1)."""
    ext, _, y = tables(log_probs, target, blank)
    alpha = brute_force_log_alpha(log_probs, target, blank)
    log_z = labelling_log_probs(log_probs, blank)[tuple(target)]
    return reference.occupancy_gradient(alpha, brute_force_log_beta(log_probs, target, blank), y, log_z, ext,
                                        log_probs.shape[1])


@pytest.mark.task4_2
@pytest.mark.parametrize("name", POSSIBLE)
def test_gradient_matches_central_differences(record_property, name):
    # unnormalized log-probabilities: the gradient is the true one whatever they are
    log_probs, target, blank = problem(name)
    log_probs = log_probs + np.random.default_rng(42).standard_normal(log_probs.shape)

    def nll():
        return -labelling_log_probs(log_probs, blank)[tuple(target)]

    ours = gradient_from_definitions(log_probs, target, blank)
    numeric = central_difference(nll, log_probs)
    check = check_frames("dL/dlog_probs", ours, numeric, classes(log_probs.shape[1], blank), what="gradient",
                         atol=1e-7, rtol=1e-5)
    assert_passes(record_property, check)


@pytest.mark.task4_2
@pytest.mark.parametrize("name", POSSIBLE)
def test_gradient_through_log_softmax_matches_pytorch(record_property, name):
    torch = pytest.importorskip("torch")
    T, C, blank, target = CASES[name]
    logits = np.random.default_rng(len(name)).standard_normal((T, C)) * 2.0
    log_probs = log_softmax(logits)
    grad = gradient_from_definitions(log_probs, np.array(target, dtype=np.int64), blank)
    # through log_softmax: dL/dlogits = g - softmax * sum_k g
    ours = grad - np.exp(log_probs) * grad.sum(axis=1, keepdims=True)
    leaf = torch.tensor(logits[:, None, :], requires_grad=True)
    loss = torch.nn.functional.ctc_loss(torch.log_softmax(leaf, dim=2), torch.tensor([target]), torch.tensor([T]),
                                        torch.tensor([len(target)]), blank=blank, reduction="sum")
    loss.backward()
    check = check_frames("dL/dlogits", ours, leaf.grad.numpy()[:, 0], classes(C, blank), what="gradient")
    assert_passes(record_property, check)


# ---------------------------------------------------------------- task 4.3
def best_labelling(log_probs, blank):
    """(labelling, log p) of highest total probability, by enumerating every alignment."""
    totals = labelling_log_probs(log_probs, blank)
    best = max(totals, key=totals.get)
    return best, totals[best], totals


@pytest.mark.task4_3
@pytest.mark.parametrize("T, C, blank, seed", [(5, 3, 0, 0), (5, 3, 2, 1), (4, 4, 0, 2), (6, 2, 1, 3), (5, 3, 0, 4)])
def test_wide_beam_finds_the_most_probable_labelling_frame_by_frame(record_property, T, C, blank, seed):
    # a beam of 200 never prunes here (at most sum_{i <= T} (C - 1)^i prefixes): it must be exact
    log_probs = log_softmax(np.random.default_rng(seed).standard_normal((T, C)) * 1.5)
    worst, first_wrong = 0.0, None
    for t in range(T):
        best, best_score, totals = best_labelling(log_probs[: t + 1], blank)
        (labels,), (score,) = beam_search(log_probs[: t + 1, None, :], [t + 1], beam_width=200, blank=blank,
                                          return_scores=True)
        mine = totals.get(tuple(labels), -np.inf)
        err = max(abs(score - best_score), abs(mine - best_score), abs(score - mine))
        worst = max(worst, float(np.tanh(np.nan_to_num(err, nan=np.inf) / 2)))  # as a relative error of p
        if first_wrong is None and not err <= 1e-9:
            first_wrong = (t, labels, score, mine, best, best_score)
    record_property("worst_rel_error", worst)
    record_property("first_wrong_step", None if first_wrong is None else first_wrong[0])
    record_property("parameter", None if first_wrong is None else "the labelling found")
    assert first_wrong is None, beam_feedback(*first_wrong)


def beam_feedback(t, labels, score, mine, best, best_score) -> str:
    """The student's message for the first frame where the beam search went wrong."""
    return (f"first wrong at t={t} (the search over frames 0..{t}): it returned {labels} with log p {score:.6f} "
            f"(its alignments sum to {mine:.6f}); the best labelling is {list(best)} with log p {best_score:.6f}")


@pytest.mark.task4_3
@pytest.mark.parametrize("beam_width", [1, 2, 3])
def test_narrow_beam_never_scores_above_the_truth(record_property, beam_width):
    # a pruned beam loses alignments of its labelling, never gains any
    T, C, blank = 6, 3, 0
    log_probs = log_softmax(np.random.default_rng(7 + beam_width).standard_normal((T, 3, C)))
    labels, scores = beam_search(log_probs, [6, 4, 1], beam_width=beam_width, blank=blank, return_scores=True)
    worst = 0.0
    for n, length in enumerate([6, 4, 1]):
        truth = labelling_log_probs(log_probs[:length, n], blank).get(tuple(labels[n]), -np.inf)
        worst = max(worst, float(np.tanh(max(0.0, scores[n] - truth) / 2)))  # as a relative error of p
        assert scores[n] <= truth + 1e-9, (f"sequence {n}: beam width {beam_width} scores {labels[n]} at log p "
                                           f"{scores[n]:.6f}, above the total of all its alignments, {truth:.6f}")
    record_property("worst_rel_error", worst)
