"""CTC kernels: the reference against the definition, Numba and CUDA against the reference.

The reference is checked against brute force (every alignment enumerated)
and against the identity sum_s alpha_t(s) beta_t(s) / y_t(l'_s) = p(l | x)
at every t. The Numba kernel must equal it in float32 and float64 over
shapes drawn by Hypothesis; the CUDA kernel likewise (marked gpu).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.ctc import reference
from tests.ctc_problems import labelling_log_probs, problems

TOL = {np.float64: 1e-10, np.float32: 2e-5}  # scaled error: |ours - ref| / max(1, |ref|)


def arguments(p, dtype=np.float64):
    return (p["log_probs"].astype(dtype), p["targets"], p["input_lengths"], p["target_lengths"], p["blank"])


def assert_same(ours, ref, dtype, what):
    ours = ours.get() if hasattr(ours, "get") else ours
    assert ours.dtype == ref.dtype == dtype, f"{what}: dtype {ours.dtype} vs {ref.dtype}"
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} vs {ref.shape}"
    assert np.array_equal(np.isinf(ours), np.isinf(ref)), f"{what}: inf in different places"
    finite = np.isfinite(ref)
    if finite.any():
        err = np.max(np.abs(ours[finite].astype(np.float64) - ref[finite]) / np.maximum(1, np.abs(ref[finite])))
        assert err <= TOL[dtype], f"{what}: scaled error {err:.2e}"


@settings(max_examples=20)
@given(p=problems(max_T=5, max_N=1, max_C=3, max_S=3))
def test_reference_loss_is_minus_log_of_the_summed_alignments(p):
    log_probs, targets, _, lengths, blank = arguments(p)
    T = p["input_lengths"][0]
    nll = reference.ctc_loss(log_probs, targets, p["input_lengths"], lengths, blank)[0]
    totals = labelling_log_probs(log_probs[:T, 0], blank)
    expected = -totals.get(tuple(targets[0, : lengths[0]]), -np.inf)
    assert nll == expected if np.isinf(expected) else abs(nll - expected) <= 1e-12 * max(1, abs(expected))


@given(p=problems(min_input_length=1))
def test_reference_alpha_beta_give_the_likelihood_at_every_frame(p):
    log_probs, targets, input_lengths, target_lengths, blank = arguments(p)
    for n in range(len(input_lengths)):
        ext = reference.extended_labels(targets[n, : target_lengths[n]], blank)
        y = log_probs[: input_lengths[n], n, ext]
        skip = reference.can_skip(ext)
        alpha, beta = reference.log_alpha(y, skip), reference.log_beta(y, skip)
        log_z = np.logaddexp.reduce(alpha[-1, -2:])
        if np.isfinite(log_z):  # sum_s alpha_t(s) beta_t(s) / y_t(l'_s) = p(l|x) for every t
            per_frame = np.logaddexp.reduce(alpha + beta - y, axis=1)
            np.testing.assert_allclose(per_frame, log_z, rtol=1e-12, atol=1e-12)
            assert abs(np.logaddexp.reduce(beta[0, :2]) - log_z) <= 1e-12 * max(1, abs(log_z))


def test_reference_extended_labels_and_skips():
    ext = reference.extended_labels(np.array([3, 3, 1]), blank=0)
    assert ext.tolist() == [0, 3, 0, 3, 0, 1, 0]
    # s=3 (second 3) may not skip the blank before it; s=5 (the 1) may
    assert reference.can_skip(ext).tolist() == [False, False, False, False, False, True, False]


cpu = pytest.importorskip("kernels.ctc.cpu", reason="numba is not installed")


@given(p=problems(max_T=14, max_N=5, max_C=6, max_S=6), dtype=st.sampled_from([np.float32, np.float64]))
def test_numba_kernel_equals_reference(p, dtype):
    args = arguments(p, dtype)
    nll, grad = cpu.ctc_loss_and_grad(*args)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    assert_same(nll, ref_nll, dtype, "nll")
    assert_same(grad, ref_grad, dtype, "grad")
    assert_same(cpu.ctc_loss(*args), ref_nll, dtype, "nll without grad")


def test_numba_kernel_on_a_long_sequence():
    # T = 300 frames: probabilities underflow long before the end unless kept as logs
    rng = np.random.default_rng(1)
    log_probs = rng.standard_normal((300, 2, 8))
    targets = rng.integers(1, 8, (2, 60))
    args = (log_probs, targets, np.array([300, 250]), np.array([60, 41]), 0)
    nll, grad = cpu.ctc_loss_and_grad(*args)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    assert np.all(np.isfinite(nll))
    assert_same(nll, ref_nll, np.float64, "nll")
    assert_same(grad, ref_grad, np.float64, "grad")


@given(p=problems(max_T=14, max_N=4, max_C=6, max_S=6), scale=st.sampled_from([30.0, 300.0]))
def test_numba_kernel_equals_reference_on_peaked_inputs(p, scale):
    # trained networks are peaked: log-probabilities hundreds of nats apart
    args = (p["log_probs"] * scale,) + arguments(p)[1:]
    nll, grad = cpu.ctc_loss_and_grad(*args)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    assert_same(nll, ref_nll, np.float64, "nll")
    assert_same(grad, ref_grad, np.float64, "grad")


@pytest.mark.parametrize("spread", [300.0, 2000.0])
def test_numba_kernel_where_rescaled_probabilities_underflow(spread):
    # Classes 300 or 2000 nats apart within a frame: e^-spread is 0 even in
    # float64, so the rescaled recursion cannot represent the only paths
    # there are and must hand these sequences to the log-space recursion.
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((40, 3, 5)) * spread
    log_probs = logits - np.logaddexp.reduce(logits, axis=2, keepdims=True)
    targets = rng.integers(1, 5, (3, 12))
    args = (log_probs, targets, np.array([40, 33, 25]), np.array([12, 9, 12]), 0)
    nll, grad = cpu.ctc_loss_and_grad(*args)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    assert np.all(np.isfinite(ref_nll)) and np.all(ref_nll > 1000)  # feasible, and p < e^-1000
    assert_same(nll, ref_nll, np.float64, "nll")
    assert_same(grad, ref_grad, np.float64, "grad")


@pytest.mark.gpu
@given(p=problems(max_T=14, max_N=5, max_C=6, max_S=6), dtype=st.sampled_from([np.float32, np.float64]))
def test_gpu_kernel_equals_reference(p, dtype):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    from kernels.ctc import gpu

    args = arguments(p, dtype)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    nll, grad = gpu.ctc_loss_and_grad(cupy.asarray(args[0]), *args[1:])
    assert_same(nll, ref_nll, dtype, "nll")
    assert_same(grad, ref_grad, dtype, "grad")
    assert_same(gpu.ctc_loss(cupy.asarray(args[0]), *args[1:]), ref_nll, dtype, "nll without grad")


@pytest.mark.gpu
@pytest.mark.parametrize("S", [0, 40, 200])  # 2 S + 1 = 401 positions: more than one block's threads
def test_gpu_kernel_on_long_sequences(S):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    from kernels.ctc import gpu

    rng = np.random.default_rng(S)
    T, N, C = 450, 3, 29
    log_probs = rng.standard_normal((T, N, C))
    targets = rng.integers(1, C, (N, S))
    args = (log_probs, targets, np.array([T, T - 7, 1]), np.array([S, S // 2, 0]), 0)
    ref_nll, ref_grad = reference.ctc_loss_and_grad(*args)
    nll, grad = gpu.ctc_loss_and_grad(cupy.asarray(log_probs), *args[1:])
    assert_same(nll, ref_nll, np.float64, "nll")
    assert_same(grad, ref_grad, np.float64, "grad")
