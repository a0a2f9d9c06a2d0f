"""Sequence-level gradient check of a recurrent layer, step by step.

``check_bptt`` runs the layer's hand-written BPTT and its autograd twin
(``recurrent_twin.layer_forward``) on the same float64 inputs and upstream
gradients, and compares dL/dx_t for every time step t, and every parameter
gradient. BPTT walks time backwards, so an error made at step t corrupts
dL/dx_t and everything earlier; the *first wrong step* in BPTT order is the
latest t whose input gradient is off. That is the step to debug.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import minidl
from minidl.nn import recurrent_twin


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
    for forward in (layer.__call__, lambda *a, **k: recurrent_twin.layer_forward(layer, *a, **k)):
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
