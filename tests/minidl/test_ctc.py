"""nn.ctc_loss and nn.CTCLoss: against PyTorch, against finite differences, and on bad input.

PyTorch's ``ctc_loss`` is compared after ``log_softmax`` (its gradient is
right only there), in float64, over problems drawn by Hypothesis: repeated
labels, blank first or last, padded and concatenated targets, every
reduction, targets too long for their frames with and without
``zero_infinity``, T = 1 and empty targets. The gradient with respect to
unnormalized ``log_probs`` is checked by finite differences instead.
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kernels
import minidl
from minidl import nn
from minidl.nn import ctc as ctc_module
from tests.ctc_problems import problems

TOL = 1e-9


def concatenated(targets, target_lengths):
    return np.concatenate([targets[n, :length] for n, length in enumerate(target_lengths)]).astype(np.int64)


@pytest.mark.torch
@settings(max_examples=40)
@given(p=problems(), reduction=st.sampled_from(["none", "sum", "mean"]),
       layout=st.sampled_from(["padded", "concatenated"]), zero_infinity=st.booleans())
def test_loss_and_logit_gradient_equal_torch(p, reduction, layout, zero_infinity):
    torch = pytest.importorskip("torch")
    logits = p["log_probs"]
    targets = p["targets"] if layout == "padded" else concatenated(p["targets"], p["target_lengths"])
    options = dict(blank=p["blank"], reduction=reduction, zero_infinity=zero_infinity)
    weights = np.random.default_rng(0).standard_normal(logits.shape[1]) if reduction == "none" else 1.0

    x = minidl.tensor(logits, requires_grad=True)
    loss = nn.ctc_loss(x.log_softmax(axis=2), targets, p["input_lengths"], p["target_lengths"], **options)
    loss.backward(np.broadcast_to(weights, loss.shape).copy())

    tx = torch.tensor(logits, requires_grad=True)
    tloss = torch.nn.functional.ctc_loss(tx.log_softmax(2), torch.tensor(targets), torch.tensor(p["input_lengths"]),
                                         torch.tensor(p["target_lengths"]), **options)
    tloss.backward(torch.tensor(np.broadcast_to(weights, tloss.shape).copy()))
    np.testing.assert_allclose(loss.numpy(), tloss.detach().numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=TOL, atol=TOL)  # nan where torch has nan


@pytest.mark.torch
@pytest.mark.parametrize("case", ["T=1", "empty targets", "too long", "repeats need blanks"])
def test_edge_cases_equal_torch(case):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    targets, input_lengths, target_lengths, T = {
        "T=1": ([[1], [2]], [1, 1], [1, 0], 1),
        "empty targets": ([[1, 1], [2, 2]], [4, 2], [0, 0], 4),
        "too long": ([[1, 1, 1], [1, 2, 1]], [4, 2], [3, 3], 4),  # 1 1 1 needs 5 frames; 1 2 1 needs 3
        "repeats need blanks": ([[1, 1, 1], [1, 2, 1]], [5, 3], [3, 3], 5),  # exactly enough frames
    }[case]
    logits = rng.standard_normal((T, 2, 3))
    for zero_infinity in (False, True):
        x = minidl.tensor(logits, requires_grad=True)
        loss = nn.ctc_loss(x.log_softmax(axis=2), targets, input_lengths, target_lengths,
                           reduction="none", zero_infinity=zero_infinity)
        loss.backward(np.ones(2))
        tx = torch.tensor(logits, requires_grad=True)
        tloss = torch.nn.functional.ctc_loss(tx.log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths),
                                             torch.tensor(target_lengths), reduction="none",
                                             zero_infinity=zero_infinity)
        tloss.sum().backward()
        np.testing.assert_allclose(loss.numpy(), tloss.detach().numpy(), rtol=TOL, atol=TOL)
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=TOL, atol=TOL)


def test_zero_infinity_gives_zero_loss_and_zero_gradient():
    x = minidl.tensor(np.random.default_rng(0).standard_normal((2, 1, 3)), requires_grad=True)
    loss = nn.ctc_loss(x, [[1, 1]], [2], [2], reduction="sum", zero_infinity=True)  # 1 1 needs 3 frames
    loss.backward()
    assert loss.item() == 0.0 and np.all(x.grad == 0)
    assert nn.ctc_loss(x.detach(), [[1, 1]], [2], [2], reduction="none").numpy().tolist() == [np.inf]


@settings(max_examples=8)
@given(p=problems(max_T=6, max_N=2, max_C=4, max_S=3), reduction=st.sampled_from(["none", "sum", "mean"]))
def test_gradcheck_on_unnormalized_log_probs(p, reduction):
    feasible = p["input_lengths"] >= 2 * p["target_lengths"] + 1  # surely finite, whatever the repeats
    if not feasible.all():
        p["input_lengths"] = np.where(feasible, p["input_lengths"], p["log_probs"].shape[0])
        p["target_lengths"] = np.where(feasible, p["target_lengths"], 0)

    def loss(log_probs):
        return nn.ctc_loss(log_probs, p["targets"], p["input_lengths"], p["target_lengths"],
                           blank=p["blank"], reduction=reduction)

    report = minidl.gradcheck(loss, p["log_probs"])
    assert report, str(report)


def test_numpy_and_numba_backends_agree_in_float32():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((9, 3, 5)).astype(np.float32)
    targets = rng.integers(0, 4, (3, 4))
    results = []
    for backend in ("numpy", "numba"):
        x = minidl.tensor(logits, requires_grad=True)
        with kernels.use(backend):
            loss = nn.CTCLoss(blank=4)(x.log_softmax(axis=2), targets, [9, 8, 5], [4, 2, 1])
            loss.backward()
        assert loss.dtype == np.float32 and x.grad.dtype == np.float32
        results.append((loss.item(), x.grad))
    (loss_np, grad_np), (loss_nb, grad_nb) = results
    assert abs(loss_np - loss_nb) <= 1e-5 * abs(loss_np)
    np.testing.assert_allclose(grad_nb, grad_np, atol=1e-6)


def test_no_gradient_wanted_no_gradient_computed():
    x = minidl.tensor(np.zeros((3, 1, 3)))
    with minidl.no_grad():
        loss = nn.ctc_loss(minidl.tensor(np.zeros((3, 1, 3)), requires_grad=True), [[1]], [3], [1])
    assert not loss.requires_grad
    assert not nn.ctc_loss(x, [[1]], [3], [1]).requires_grad


GOOD = dict(log_probs=np.zeros((4, 2, 3)), targets=[[1, 2], [2, 0]], input_lengths=[4, 3], target_lengths=[2, 1])


@pytest.mark.parametrize("change, error, words", [
    (dict(targets=[[1, 0], [2, 0]]), ValueError, "target label 0 of sequence 0 (position 1) is the blank"),
    (dict(targets=[[1, 3], [2, 0]]), ValueError, "target label 3 of sequence 0 (position 1) is out of range"),
    (dict(targets=[[1.0, 2.0], [2.0, 0.0]]), TypeError, "targets must hold integers, got dtype float64"),
    (dict(targets=[[[1]]]), ValueError, "got shape (1, 1, 1)"),
    (dict(targets=[[1, 2]]), ValueError, "padded targets must be [N, S] with N=2, got shape (1, 2)"),
    (dict(targets=[1, 2]), ValueError, "concatenated targets hold 2 labels, but target_lengths sums to 3"),
    (dict(target_lengths=[3, 1]), ValueError, "target_lengths holds 3, longer than the padded targets' S=2"),
    (dict(input_lengths=[5, 3]), ValueError, "input_lengths[0] = 5 is out of range; expected [0, 4]"),
    (dict(input_lengths=[4]), ValueError, "input_lengths must hold one length per sequence, shape (2,)"),
    (dict(target_lengths=[2, -1]), ValueError, "target_lengths[1] = -1 is out of range"),
    (dict(input_lengths=[4.0, 3.0]), TypeError, "input_lengths must hold integers"),
    (dict(log_probs=np.zeros((4, 3))), ValueError, "log_probs must be [T, N, C]"),
    (dict(log_probs=np.zeros((4, 2, 3), dtype=np.int64)), TypeError, "log_probs must be floating point"),
    (dict(blank=3), ValueError, "blank=3 is outside [0, 3)"),
    (dict(blank=-1), ValueError, "blank=-1 is outside [0, 3)"),
    (dict(blank=1.0), TypeError, "blank must be an integer class index, got 1.0"),
    (dict(reduction="average"), ValueError, "reduction must be one of"),
])
def test_bad_input_gets_a_clear_error(change, error, words):
    args = {**GOOD, **change}
    options = {key: args.pop(key) for key in ("blank", "reduction") if key in args}
    with pytest.raises(error) as info:
        nn.ctc_loss(args["log_probs"], args["targets"], args["input_lengths"], args["target_lengths"], **options)
    assert words in str(info.value)


def test_module_checks_its_reduction_and_docstrings_run():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CTCLoss(reduction="avg")
    failures, tried = doctest.testmod(ctc_module, optionflags=doctest.ELLIPSIS)
    assert tried >= 4 and failures == 0
