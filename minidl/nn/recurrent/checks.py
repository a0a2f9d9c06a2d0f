"""Gradient checks of the recurrent cells and layers: against the twin, and by finite differences.

``check_bptt(layer, x)`` runs the layer's hand-written BPTT and its autograd
twin (``twin.layer_forward``) on the same float64 inputs and upstream
gradients, and compares dL/dx_t for every time step t, and every parameter
gradient. BPTT walks time backwards, so an error made at step t corrupts
dL/dx_t and everything earlier; the *first wrong step* in BPTT order is the
latest t whose input gradient is off. That is the step to debug.

``check_recurrent(kind)`` runs ``minidl.gradcheck`` (float64, central
differences) on

- the cell: ``step_forward``/``step_backward`` as one autograd node, with the
  input, the state(s) and every weight perturbed;
- the layer: two layers, both directions, a batch with lengths [3, 1]
  (so masking is exercised), with the input, the initial state(s) and every
  weight perturbed;

and returns one ``GradientRow`` per checked array: what was checked, its
name (``x``, ``h_0``, ``weight_hh_l1_reverse`` ...), the worst relative
error, and whether it passed. ``minidl gradcheck`` prints these rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import minidl
from minidl import validate
from minidl.gradcheck import gradcheck
from minidl.nn.recurrent import twin
from minidl.nn.recurrent.cells import CellFunction, GRUCell, LSTMCell, RNNCell
from minidl.nn.recurrent.layers import GRU, LSTM, RNN
from minidl.nn.recurrent.node import RecurrentFunction
from minidl.ops.shape import concat
from minidl.random import manual_seed

KINDS = {  # kind -> (its cell, its layer)
    "rnn": (RNNCell, RNN),
    "lstm": (LSTMCell, LSTM),
    "gru": (GRUCell, GRU),
}


# ---------------------------------------------------------------- BPTT against the autograd twin
@dataclass
class BPTTReport:
    """Per-step and per-parameter errors; truthy when everything agrees."""

    step_errors: np.ndarray  # [T] max |dx_t(ours) - dx_t(twin)| relative to scale
    param_errors: dict  # name -> max abs error relative to scale
    tol: float

    @property
    def wrong_steps(self) -> list:
        return [int(t) for t in np.flatnonzero(self.step_errors > self.tol)]

    @property
    def first_wrong_step(self) -> int | None:
        """The latest wrong time step: where BPTT (walking backwards) first goes wrong."""
        wrong = self.wrong_steps
        return max(wrong) if wrong else None

    @property
    def wrong_params(self) -> list:
        return [name for name, err in self.param_errors.items() if err > self.tol]

    def __bool__(self) -> bool:
        return not self.wrong_steps and not self.wrong_params

    def __str__(self) -> str:
        if self:
            return f"BPTT check passed (tol {self.tol:g}); worst step error {self.step_errors.max():.2e}"
        return (f"BPTT check FAILED: first wrong time step {self.first_wrong_step}, "
                f"wrong steps {self.wrong_steps}, wrong parameters {self.wrong_params}")


def _scaled(a, b) -> float:
    return float(np.max(np.abs(a - b), initial=0.0) / max(1.0, float(np.max(np.abs(b), initial=0.0))))


def check_bptt(layer, x, *, lengths=None, seed: int = 0, tol: float = 1e-9) -> BPTTReport:
    """Compare ``layer``'s BPTT with its autograd twin, step by step.

    Parameters
    ----------
    layer : RNN, LSTM or GRU with float64 parameters, dropout 0 (or eval mode)
    x : array [T, B, I] ([B, T, I] if batch_first), float64
    lengths : int array [B], optional
    seed : int
        Seed of the random upstream gradients.
    tol : float
        Allowed error relative to scale.

    Returns
    -------
    BPTTReport
    """
    x = np.asarray(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    results = []
    for forward in (layer.__call__, lambda *args, **options: twin.layer_forward(layer, *args, **options)):
        layer.zero_grad()
        xt = minidl.tensor(x, requires_grad=True)
        out, final = forward(xt, lengths=lengths)
        finals = final if isinstance(final, tuple) else (final,)
        rng = np.random.default_rng(seed)  # the same upstream gradients for both
        loss = (out * rng.standard_normal(out.shape)).sum()
        for f in finals:
            loss = loss + (f * rng.standard_normal(f.shape)).sum()
        loss.backward()
        grads = {name: p.grad.copy() for name, p in layer.named_parameters()}
        results.append((xt.grad, grads))
    (dx, grads), (dx_twin, grads_twin) = results
    time_axis = 1 if layer.batch_first else 0
    dx, dx_twin = np.moveaxis(dx, time_axis, 0), np.moveaxis(dx_twin, time_axis, 0)
    step_errors = np.array([_scaled(dx[t], dx_twin[t]) for t in range(dx.shape[0])])
    param_errors = {name: _scaled(grads[name], grads_twin[name]) for name in grads}
    return BPTTReport(step_errors, param_errors, tol)


# ---------------------------------------------------------------- finite differences
@dataclass
class GradientRow:
    """One checked array: which model, cell or layer, its name and how far off it is."""

    kind: str
    subject: str  # "cell" or "layer (2 layers, bidirectional, lengths)"
    name: str
    max_rel_error: float
    max_abs_error: float
    passed: bool


def _rows(kind, subject, names, report) -> list:
    return [GradientRow(kind, subject, name, r.max_rel_error, r.max_abs_error, r.passed)
            for name, r in zip(names, report.inputs)]


def check_cell(kind: str, *, seed: int = 0) -> list:
    """Gradcheck one step of ``kind``'s cell: x [2, 3], state(s) [2, 2]."""
    manual_seed(seed)
    cell = KINDS[kind][0](3, 2, dtype=np.float64)
    rng = np.random.default_rng(seed)
    n_states = cell.step.n_states
    states = [rng.standard_normal((2, 2)) for _ in range(n_states)]
    weight_names = tuple(name for name, _ in cell.named_parameters())
    names = ["x", "h", "c"][:1 + n_states] + list(weight_names)

    def run(*inputs):
        new_state = CellFunction.apply(*inputs, step=cell.step, weight_names=weight_names)
        return concat(list(new_state), axis=1)  # every state [2, 2] side by side

    report = gradcheck(run, rng.standard_normal((2, 3)), *states, *[p.data.copy() for p in cell.parameters()])
    return _rows(kind, "cell", names, report)


def check_layer(kind: str, *, seed: int = 0) -> list:
    """Gradcheck the whole BPTT of a 2-layer bidirectional layer on a masked batch."""
    manual_seed(seed)
    layer = KINDS[kind][1](2, 2, num_layers=2, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(seed)
    n_states = layer.step.n_states
    states = [rng.standard_normal((4, 2, 2)) for _ in range(n_states)]
    weight_names = tuple(name for name, _ in layer.named_parameters())
    names = ["x", "h_0", "c_0"][:1 + n_states] + list(weight_names)

    def run(x, *rest):
        outs = RecurrentFunction.apply(x, *rest, settings=layer.settings(), weight_names=weight_names,
                                       lengths=np.array([3, 1]), training=False)
        return concat([o.reshape(-1) for o in outs])  # the output sequence and the final states together

    report = gradcheck(run, rng.standard_normal((3, 2, 2)), *states, *[p.data.copy() for p in layer.parameters()])
    return _rows(kind, "layer", names, report)


def check_recurrent(kind: str, *, seed: int = 0) -> list:
    """Cell and layer rows for ``kind`` in {"rnn", "lstm", "gru"}."""
    validate.choice("kind", kind, tuple(KINDS))
    return check_cell(kind, seed=seed) + check_layer(kind, seed=seed)
