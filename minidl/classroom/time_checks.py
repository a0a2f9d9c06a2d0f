"""Checks that say *when* a recurrent gradient, or a CTC table, goes wrong.

A whole-sequence gradient check only says that something is wrong. These
checks compare, for every time step t and every parameter, the analytic
gradient with central differences, so a report reads "first wrong at t=1,
weight_hh, forget gate f rows" — which points at the line to fix.

``check_cell_steps`` checks one cell's ``step_backward`` at every step of a
sequence, *teacher-forced*: step t is given the true (numerical) gradient
of the state it produced, so a mistake at step t cannot leak into the
report of step t-1. Its parameter gradients are compared with the
numerical gradient of the weights *as used at step t only*.

``check_bptt_loop`` checks the time loop (``minidl.nn.recurrent.bptt.run_backward``)
as a whole: the gradient of every input x_t, of the initial state, of each
weight, and the per-step norms ||dL/dh_t||, with variable lengths and
truncation.

``check_frames`` compares a CTC table (alpha, beta, the gradient) with its
definition frame by frame, naming the first wrong frame t and position s.

Everything runs in float64. An element passes when its absolute error is
at most ``atol`` or its relative error (CS231n form) at most ``rtol``; the
relative errors reported are those of the elements off by more than
``atol`` (below that, finite differences cannot tell 1e-12 from 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import kernels.recurrent
from minidl.gradcheck import central_difference, relative_error
from minidl.nn.recurrent import bptt
from minidl.nn.recurrent.weights import CellWeights

GATES = {
    "RNN": ("",), "RNN_RELU": ("",),
    "LSTM": ("input gate i", "forget gate f", "cell gate g", "output gate o"),
    "GRU": ("reset gate r", "update gate z", "new gate n"),
}
PARAMETERS = CellWeights._fields  # ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass
class StepError:
    """How one gradient at one time step compares with central differences."""

    t: int | None      # None for gradients that are sums over time
    name: str          # "weight_hh", "dx_t", "dh_{t-1}", ...
    where: str         # the gate block holding the worst element, or ""
    max_rel_error: float
    max_abs_error: float
    passed: bool

    def label(self) -> str:
        return f"{self.name}, {self.where} rows" if self.where else self.name


@dataclass
class TimeCheck:
    """All StepErrors of one check."""

    rows: list
    what: str = "gradient"  # what the rows compare, for describe: "gradient", "value"

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows)

    @property
    def worst_rel_error(self) -> float:
        return max((r.max_rel_error for r in self.rows), default=0.0)

    def wrong_steps(self) -> list:
        return sorted({r.t for r in self.rows if not r.passed and r.t is not None})

    def first_failure(self) -> StepError | None:
        """The failing row at the earliest time step; sums over time come last.

        At that step a parameter is preferred to an input or state gradient
        (it names the gate block), then the largest relative error.
        """
        failing = [r for r in self.rows if not r.passed]
        return min(failing, key=lambda r: (r.t is None, r.t or 0, r.name not in PARAMETERS, -r.max_rel_error),
                   default=None)

    def describe(self) -> str:
        first = self.first_failure()
        if first is None:
            return f"all {self.what}s agree (worst relative error {self.worst_rel_error:.1e})"
        when = "summed over time" if first.t is None else f"at time step t={first.t}"
        text = f"first wrong {self.what} {when}: {first.label()} (relative error {first.max_rel_error:.2e})"
        steps = self.wrong_steps()
        if steps:
            text += f"; wrong at t = {', '.join(map(str, steps))}"
        return text

    def record(self, record_property) -> None:
        """Hand the measurements to the grader (pytest's record_property)."""
        first = self.first_failure()
        record_property("worst_rel_error", self.worst_rel_error)
        record_property("first_wrong_step", None if first is None else first.t)
        record_property("parameter", None if first is None else first.label())


def compare(t, name, analytic, numeric, *, blocks=(), atol=1e-7, rtol=1e-5) -> StepError:
    """One StepError; ``blocks`` names the gate blocks along axis 0 (for weights and biases)."""
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise AssertionError(f"{name} at t={t}: shape {analytic.shape}, expected {numeric.shape}")
    abs_err = np.abs(analytic - numeric)
    # elements within atol are finite-difference noise around ~0: their relative error means nothing
    rel_err = np.where(abs_err <= atol, 0.0, relative_error(analytic, numeric))
    ok = rel_err <= rtol
    worst = np.unravel_index(int(np.argmax(np.where(ok, 0.0, 1.0) + rel_err)), numeric.shape) if numeric.size else ()
    where = ""
    if len(blocks) > 1 and worst:
        where = blocks[worst[0] // (numeric.shape[0] // len(blocks))]
    return StepError(t, name, where, float(rel_err.max(initial=0.0)), float(abs_err.max(initial=0.0)),
                     bool(ok.all()))


# ---------------------------------------------------------------- one cell, step by step
def check_cell_steps(cell, *, steps: int = 5, batch: int = 3, seed: int = 0, eps: float = 1e-6,
                     atol: float = 1e-7, rtol: float = 1e-5) -> TimeCheck:
    """Teacher-forced check of ``cell.step_backward`` at every step of a sequence.

    The loss is L = sum_t <R_t, h_t> with fixed random R, the initial state
    is zero (PyTorch's default), and the cell must hold float64 parameters.
    """
    rng = np.random.default_rng(seed)
    n_states, H = cell.step.n_states, cell.hidden_size
    xs = rng.standard_normal((steps, batch, cell.input_size))
    R = rng.standard_normal((steps, batch, H))
    # a private copy of the weights for every step, so one step's weights can be nudged alone
    per_step = [[None if w is None else w.copy() for w in cell.weight_arrays()] for _ in range(steps)]
    entering = [[np.zeros((batch, H)) for _ in range(n_states)] for _ in range(steps)]  # state into step t
    leaving = [[None] * n_states for _ in range(steps)]  # perturbation hooks on the state out of step t

    def loss(start: int = 0) -> float:
        """Forward from step ``start`` (its entering state as stored); the loss of steps >= start."""
        state = tuple(entering[start])
        total = 0.0
        for t in range(start, steps):
            state, _ = cell.step_forward(xs[t], state, tuple(per_step[t]))
            state = tuple(s if delta is None else s + delta for s, delta in zip(state, leaving[t]))
            total += float((R[t] * state[0]).sum())
        return total

    # the baseline run: caches, and the true state entering every step
    caches, state = [], tuple(entering[0])
    for t in range(steps):
        entering[t] = [s.copy() for s in state]
        state, cache = cell.step_forward(xs[t], state, tuple(per_step[t]))
        caches.append(cache)

    gates = GATES[cell.step.name]
    state_names = ("dh_{t-1}", "dc_{t-1}")[:n_states]
    rows = []
    for t in range(steps):
        # the true gradient of the state leaving step t (all later steps and the output at t)
        d_new = []
        for state_index in range(n_states):
            leaving[t][state_index] = np.zeros((batch, H))
            d_new.append(central_difference(lambda: loss(t), leaving[t][state_index], eps=eps))
            leaving[t][state_index] = None
        dx, d_state, grads = cell.step_backward(tuple(d_new), caches[t])
        # what step t alone passes to its inputs: perturb them, keep everything before t
        rows.append(compare(t, "dx_t", dx, central_difference(lambda: loss(t), xs[t], eps=eps), atol=atol, rtol=rtol))
        if len(d_state) != n_states:
            raise AssertionError(f"step_backward returned {len(d_state)} state gradients, expected {n_states}")
        for state_index in range(n_states):
            numeric = central_difference(lambda: loss(t), entering[t][state_index], eps=eps)
            rows.append(compare(t, state_names[state_index], d_state[state_index], numeric, atol=atol, rtol=rtol))
        for j, name in enumerate(PARAMETERS):
            if per_step[t][j] is None:
                continue
            if name not in grads:
                raise AssertionError(f"step_backward returned no gradient for {name} (it returned {sorted(grads)})")
            numeric = central_difference(lambda: loss(t), per_step[t][j], eps=eps)
            rows.append(compare(t, name, grads[name], numeric, blocks=gates, atol=atol, rtol=rtol))
    return TimeCheck(rows)


# ---------------------------------------------------------------- the time loop
class _PerturbOutput:
    """Wraps a step so that the state it produces at call ``t`` gets ``delta`` added (for dL/dh_t)."""

    def __init__(self, step, t, delta):
        self.step, self.t, self.delta, self.calls = step, t, delta, 0
        self.hidden_bias_in_gx = step.hidden_bias_in_gx

    def split_biases(self, b_ih, b_hh):
        return self.step.split_biases(b_ih, b_hh)

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        new, cache = self.step.forward(kernel, gx, state, w_hh_t, b_hh)
        if self.calls == self.t:
            new = (new[0] + self.delta[:new[0].shape[0]],) + tuple(new[1:])
        self.calls += 1
        return new, cache


def check_bptt_loop(step, *, input_size: int = 3, hidden_size: int = 4, lengths=(5, 5, 5), truncate: int = 0,
                    bias: bool = True, seed: int = 0, eps: float = 1e-6, atol: float = 1e-7,
                    rtol: float = 1e-5) -> TimeCheck:
    """Check ``bptt.run_backward`` driving ``step`` against central differences of ``bptt.run_forward``.

    ``lengths`` must be sorted longest first (as the layers sort them). With
    ``truncate = chunk`` the reference treats the state entering every chunk
    of ``chunk`` steps as a constant, which is what truncated BPTT
    differentiates. The norms ||dL/dh_t|| are checked when every sequence
    is full length.
    """
    rng = np.random.default_rng(seed)
    lengths = np.asarray(lengths)
    T, B, G, H = int(lengths.max()), len(lengths), step.n_gates, hidden_size
    kernel = kernels.recurrent.module_for("numpy")
    x = rng.standard_normal((T, B, input_size))
    weights = CellWeights(rng.standard_normal((G * H, input_size)) * 0.5, rng.standard_normal((G * H, H)) * 0.5,
                          rng.standard_normal(G * H) * 0.5 if bias else None,
                          rng.standard_normal(G * H) * 0.5 if bias else None)
    state0 = tuple(rng.standard_normal((B, H)) * 0.5 for _ in range(step.n_states))
    R = rng.standard_normal((T, B, H))
    S = tuple(rng.standard_normal((B, H)) for _ in range(step.n_states))
    active = bptt.active_counts(lengths, T)
    chunk = truncate or T
    starts = list(range(0, T, chunk))

    # the state entering each chunk in the baseline run: the constants of truncated BPTT
    entering, state = [], state0
    for t0 in starts:
        entering.append(state)
        _, state, _ = bptt.run_forward(step, kernel, x[t0:t0 + chunk], state, weights, active[t0:t0 + chunk])

    def loss(use_step=step, first_state=None) -> float:
        total = 0.0
        for c, t0 in enumerate(starts):
            start_state = first_state if (c == 0 and first_state is not None) else entering[c]
            out, final, _ = bptt.run_forward(use_step, kernel, x[t0:t0 + chunk], start_state, weights,
                                             active[t0:t0 + chunk])
            total += float((R[t0:t0 + chunk] * out).sum())
            if c == len(starts) - 1:
                total += sum(float((s * f).sum()) for s, f in zip(S, final))
        return total

    out, final, tape = bptt.run_forward(step, kernel, x, state0, weights, active)
    dx, d_state0, d_weights, norms = bptt.run_backward(step, kernel, R, S, weights, active, tape, truncate=truncate,
                                                       record_norms=True)

    rows = []
    numeric_dx = central_difference(loss, x, eps=eps)
    for t in range(T):
        rows.append(compare(t, "dx_t", dx[t], numeric_dx[t], atol=atol, rtol=rtol))
    first = [s.copy() for s in state0]
    for state_index, d in enumerate(d_state0):
        rows.append(compare(None, ("dh_0", "dc_0")[state_index] + " (initial state)", d,
                            central_difference(lambda: loss(first_state=tuple(first)), first[state_index], eps=eps),
                            atol=atol, rtol=rtol))
    blocks = GATES.get(getattr(step, "name", ""), ("",))
    for name, w, d in zip(PARAMETERS, weights, d_weights):
        if w is not None:
            rows.append(compare(None, name, d, central_difference(loss, w, eps=eps), blocks=blocks, atol=atol, rtol=rtol))
    if not truncate and (lengths == T).all():
        for t in range(T):
            delta = np.zeros((B, H))
            grad = central_difference(lambda: loss(use_step=_PerturbOutput(step, t, delta)), delta, eps=eps)
            rows.append(compare(t, "norms[t] = ||dL/dh_t||", np.array([norms[t]]),
                                np.array([np.sqrt((grad * grad).sum())]), atol=atol, rtol=rtol))
    return TimeCheck(rows)


# ---------------------------------------------------------------- CTC tables, frame by frame
def check_frames(name, ours, expected, columns, *, log_space=False, what="value", atol=1e-9,
                 rtol=1e-7) -> TimeCheck:
    """Compare two [T, K] tables (alpha, beta, a gradient) row by row: one StepError per frame t.

    ``columns`` names the K positions (``"s=3 (label 2)"``), so a report
    reads "first wrong value at time step t=1: alpha at s=3 (label 2)".
    With ``log_space`` the tables hold logarithms log a, log b; the error
    reported is the CS231n relative error of a and b themselves,
    |a - b| / (a + b) = tanh(|log a - log b| / 2): 1 where only one is 0
    (log 0 = -inf), 0 where both are. A nan counts as wrong.
    """
    ours = np.asarray(ours, dtype=np.float64)
    if ours.shape != expected.shape:
        raise AssertionError(f"{name}: shape {ours.shape}, expected {expected.shape}")
    with np.errstate(invalid="ignore"):  # -inf - -inf is nan: both log 0, which agree
        abs_err = np.nan_to_num(np.abs(ours - expected), nan=np.inf, posinf=np.inf)
    if log_space:
        both_zero = np.isneginf(ours) & np.isneginf(expected)
        abs_err = np.where(both_zero, 0.0, abs_err)
        rel_err = np.tanh(abs_err / 2)
    else:
        rel_err = np.where(abs_err <= atol, 0.0, np.nan_to_num(relative_error(ours, expected), nan=1.0))
    rows = []
    for t in range(len(expected)):
        wrong = rel_err[t] > rtol
        k = int(np.argmax(wrong)) if wrong.any() else int(np.argmax(rel_err[t]))
        rows.append(StepError(t, f"{name} at {columns[k]}", "", float(rel_err[t].max(initial=0.0)),
                              float(abs_err[t].max(initial=0.0)), not wrong.any()))
    return TimeCheck(rows, what=what)
