"""Finite-difference checks of the recurrent cells and layers, named per parameter.

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

from minidl.gradcheck import gradcheck
from minidl.nn.recurrent import GRU, LSTM, RNN, RecurrentFunction
from minidl.nn.recurrent_cells import CellFunction, GRUCell, LSTMCell, RNNCell
from minidl.ops.shape import concat
from minidl.random import manual_seed

KINDS = {
    "rnn": (RNNCell, RNN),
    "lstm": (LSTMCell, LSTM),
    "gru": (GRUCell, GRU),
}


@dataclass
class GradientRow:
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
    names = ["x", "h", "c"][:1 + n_states] + [name for name, _ in cell.named_parameters()]

    def run(*inputs):
        return concat(list(CellFunction.apply(*inputs, cell=cell)), axis=1)

    report = gradcheck(run, rng.standard_normal((2, 3)), *states, *[p.data.copy() for p in cell.parameters()])
    return _rows(kind, "cell", names, report)


def check_layer(kind: str, *, seed: int = 0) -> list:
    """Gradcheck the whole BPTT of a 2-layer bidirectional layer on a masked batch."""
    manual_seed(seed)
    layer = KINDS[kind][1](2, 2, num_layers=2, bidirectional=True, dtype=np.float64)
    rng = np.random.default_rng(seed)
    n_states = layer.step.n_states
    states = [rng.standard_normal((4, 2, 2)) for _ in range(n_states)]
    names = ["x", "h_0", "c_0"][:1 + n_states] + [name for name, _ in layer.named_parameters()]

    def run(x, *rest):
        outs = RecurrentFunction.apply(x, *rest, layer=layer, lengths=np.array([3, 1]), training=False)
        return concat([o.reshape(-1) for o in outs])  # the output sequence and the final states together

    report = gradcheck(run, rng.standard_normal((3, 2, 2)), *states, *[p.data.copy() for p in layer.parameters()])
    return _rows(kind, "layer", names, report)


def check_recurrent(kind: str, *, seed: int = 0) -> list:
    """Cell and layer rows for ``kind`` in {"rnn", "lstm", "gru"}."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {tuple(KINDS)}, got {kind!r}")
    return check_cell(kind, seed=seed) + check_layer(kind, seed=seed)
