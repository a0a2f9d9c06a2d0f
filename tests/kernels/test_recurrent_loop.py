"""The compiled time loop (``kernels/recurrent/loop.py``) against the readable one (``bptt.py``).

A layer runs on the ``numba`` backend (the compiled loop, the Numba
kernels) and on the ``numpy`` backend (Python over ``step_forward`` /
``step_backward``, the NumPy reference), with the same weights and data;
outputs, final states and every gradient must agree, in float32 and
float64. Hypothesis draws the sizes, the cell, one or two layers and
directions, the lengths (a batch with sequences that end early), a given
or a zero initial state, truncated BPTT and the recorded gradient norms.

Also here: the activations the compiled kernels use, against NumPy; what
the compiled loop keeps for backward (each value once, the output shared);
the fallback to the readable loop while a loop is a student's stub; and
that the loops' cache follows edits to the kernels they call.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kernels
import minidl
from minidl import nn

loop = pytest.importorskip("kernels.recurrent.loop", reason="numba is not installed")
from kernels.recurrent import activations  # noqa: E402  (needs numba, like loop)
from minidl.nn.recurrent import compiled  # noqa: E402
from minidl.nn.recurrent.steps import LSTMStep  # noqa: E402

if "numba" not in kernels.available():
    pytest.skip("the numba backend is not available", allow_module_level=True)

TOL = {np.float64: 1e-12, np.float32: 1e-4}  # float32: 100 steps of rounding, scaled by the largest value
LAYERS = {
    "rnn_tanh": lambda *a, **kw: nn.RNN(*a, nonlinearity="tanh", **kw),
    "rnn_relu": lambda *a, **kw: nn.RNN(*a, nonlinearity="relu", **kw),
    "lstm": nn.LSTM,
    "gru": nn.GRU,
}


def run(backend, kind, x, states, lengths, upstream, **options):
    """Forward and backward of a fresh layer (seeded: the same weights every call) on ``backend``."""
    minidl.manual_seed(0)
    layer = LAYERS[kind](x.shape[2], upstream[0].shape[2] // (2 if options.get("bidirectional") else 1),
                         dtype=x.dtype, record_grad_norms=True, **options)
    xt = minidl.tensor(x, requires_grad=True)
    st_ = [minidl.tensor(s, requires_grad=True) for s in states]
    hx = None if not st_ else (st_[0] if len(st_) == 1 else tuple(st_))
    with kernels.use(backend):
        out, final = layer(xt, hx, lengths=lengths)
        finals = final if isinstance(final, tuple) else (final,)
        loss = (out * upstream[0]).sum()
        for f, g in zip(finals, upstream[1:]):
            loss = loss + (f * g).sum()
        loss.backward()
    results = {"output": out.numpy(), "dx": xt.grad, "norms": layer.grad_norms}
    results.update({f"final {i}": f.numpy() for i, f in enumerate(finals)})
    results.update({f"d state {i}": s.grad for i, s in enumerate(st_)})
    results.update({f"d {name}": p.grad for name, p in layer.named_parameters()})
    return results


@st.composite
def problem(draw):
    kind = draw(st.sampled_from(sorted(LAYERS)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    T, B = draw(st.integers(1, 9)), draw(st.integers(1, 5))
    I, H = draw(st.integers(1, 6)), draw(st.integers(1, 9))
    num_layers = draw(st.integers(1, 2))
    bidirectional = draw(st.booleans())
    truncate = 0 if bidirectional else draw(st.sampled_from([0, 0, 2, 3]))
    ragged = draw(st.booleans())
    lengths = np.array(draw(st.lists(st.integers(1, T), min_size=B, max_size=B))) if ragged else None
    give_state = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    D, n_states = 2 if bidirectional else 1, 2 if kind == "lstm" else 1
    x = rng.standard_normal((T, B, I)).astype(dtype)
    states = [rng.standard_normal((num_layers * D, B, H)).astype(dtype) for _ in range(n_states)] if give_state else []
    upstream = [rng.standard_normal((T, B, D * H)).astype(dtype)]
    upstream += [rng.standard_normal((num_layers * D, B, H)).astype(dtype) for _ in range(n_states)]
    options = dict(num_layers=num_layers, bidirectional=bidirectional, bptt_truncate=truncate)
    return kind, x, states, lengths, upstream, options


@given(p=problem())
def test_compiled_loop_equals_readable_loop(p):
    kind, x, states, lengths, upstream, options = p
    ours = run("numba", kind, x, states, lengths, upstream, **options)
    reference = run("numpy", kind, x, states, lengths, upstream, **options)
    assert ours.keys() == reference.keys()
    for name, ref in reference.items():
        got = ours[name]
        assert got.shape == ref.shape, name
        scale = max(1.0, float(np.max(np.abs(ref), initial=0)))
        err = float(np.max(np.abs(got.astype(np.float64) - ref), initial=0)) / scale
        assert err <= TOL[x.dtype.type], f"{kind} {options} lengths={lengths}: {name} differs by {err:.2e} (scaled)"


def test_the_numba_backend_runs_the_compiled_loop_and_numpy_the_readable_one():
    x = np.zeros((3, 2, 4), np.float32)
    with kernels.use("numba"):
        assert compiled.usable(LSTMStep(), x)
    with kernels.use("numpy"):
        assert not compiled.usable(LSTMStep(), x)


# ---------------------------------------------------------------- what backward keeps
def test_lstm_tape_keeps_each_value_once_and_shares_the_output():
    T, B, I, H = 6, 3, 2, 5
    lstm = nn.LSTM(I, H)
    with kernels.use("numba"):
        out, _ = lstm(minidl.tensor(np.ones((T, B, I), np.float32)))
    node = out._creator
    x, h_all, gates, c_all = node.tapes[0, 0]
    assert gates.shape == (T, B, 4 * H) and h_all.shape == c_all.shape == (T + 1, B, H)
    assert np.shares_memory(out.numpy(), h_all)  # the output is h_all[1:]: no copy of it
    arrays = [h_all, gates, c_all]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


# ---------------------------------------------------------------- a student's stub
def test_a_stubbed_loop_runs_the_readable_loop_and_says_so_once(monkeypatch, capsys):
    def stub(*args):
        raise NotImplementedError("Task 2.4: write the compiled loop")

    monkeypatch.setattr(loop, "lstm_backward", stub)
    loop.stub.cache_clear()
    try:
        x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
        upstream = [np.ones((4, 2, 5), np.float32), np.ones((1, 2, 5), np.float32), np.ones((1, 2, 5), np.float32)]
        with kernels.use("numba"):
            assert not compiled.usable(LSTMStep(), x)
        got = run("numba", "lstm", x, [], None, upstream)
        want = run("numpy", "lstm", x, [], None, upstream)
    finally:
        loop.stub.cache_clear()
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert capsys.readouterr().err.splitlines() == [
        "kernels: the compiled LSTM time loop is not written yet (Task 2.4); "
        "running the readable loop (minidl.nn.recurrent.bptt) instead"]


# ---------------------------------------------------------------- the activations
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_are_within_3_ulp(dtype):
    from numba import njit

    @njit(error_model="numpy")
    def both(a, s, t):
        for j in range(a.shape[0]):
            s[j] = activations.sigmoid(a[j])
            t[j] = activations.tanh(a[j])

    rng = np.random.default_rng(0)
    tiny = np.geomspace(1e-30, 1e3, 400)
    a = np.concatenate([rng.standard_normal(2000) * 6, tiny, -tiny, [0.0, 88.0, -88.0, 800.0, -800.0]]).astype(dtype)
    s, t = np.empty_like(a), np.empty_like(a)
    both(a, s, t)
    exact = a.astype(np.longdouble)  # 64-bit mantissa on x86: exact enough for both
    exact_t = np.tanh(exact)
    exact_s = 1 / (1 + np.exp(-exact))
    for name, ours, want in (("tanh", t, exact_t), ("sigmoid", s, exact_s)):
        normal = np.abs(want) >= np.finfo(dtype).tiny  # below, e^y flushes to zero (documented)
        ulp = np.spacing(np.abs(want[normal]).astype(dtype)).astype(np.longdouble)
        worst = float(np.max(np.abs(ours[normal].astype(np.longdouble) - want[normal]) / ulp))
        assert worst <= 3, f"{name} {dtype.__name__}: {worst:.1f} ulp"
        assert np.all(np.abs(ours[~normal]) <= np.finfo(dtype).tiny), name
    assert np.signbit(t[a == 0]).tolist() == [False] and t[-2] == 1 and t[-1] == -1
    assert s[-2] == 1 and s[-1] == 0
    nan = np.array([np.nan], dtype)
    both(nan, s[:1], t[:1])
    assert np.isnan(s[0]) and np.isnan(t[0])


# ---------------------------------------------------------------- the cache follows the kernels
def test_a_cached_caller_is_recompiled_when_its_callees_file_changes(tmp_path):
    callee = tmp_path / "callee_mod.py"
    (tmp_path / "caller_mod.py").write_text(textwrap.dedent("""
        import callee_mod
        from kernels.caching import njit_cached

        @njit_cached(callee_mod)
        def caller():
            return callee_mod.value() + 10
    """))

    root = Path(kernels.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])}

    def run_caller():
        done = subprocess.run([sys.executable, "-c", "import caller_mod; print(caller_mod.caller())"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return int(done.stdout.split()[-1])

    for value in (1, 2):
        callee.write_text(f"from numba import njit\n\n@njit(cache=True)\ndef value():\n    return {value}\n")
        assert run_caller() == 10 + value  # the second run found the first one's cache and must not use it
