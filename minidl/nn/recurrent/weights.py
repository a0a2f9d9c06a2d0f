"""The weights of one cell, by name, and the two matrix products around the gate math.

A recurrent cell (one layer, one direction of a layer) has four weights,
named as in PyTorch: ``weight_ih`` [G*H, I], ``weight_hh`` [G*H, H] and,
unless ``bias=False``, ``bias_ih`` and ``bias_hh`` [G*H], where G is the
number of gate blocks (1 for RNN, 4 for LSTM, 3 for GRU). A layer's
parameters carry a suffix: ``weight_ih_l0``, ``bias_hh_l1_reverse``.

Before the gate math of a step comes the input projection,
``gx = x W_ih^T + b``; after its backward come the gradients of the two
projections' weights. Cells (one step) and the time loop (all steps in
one product) share both, so they are written once, here:

    gx    = x W_ih^T + b                      (input_projection)
    dx    = d_gx W_ih                         (projection_gradients)
    dW_ih = d_gx^T x       db_ih = sum over rows of d_gx
    dW_hh = d_gh^T h_prev  db_hh = sum over rows of d_gh
"""
from __future__ import annotations

from typing import NamedTuple

from kernels import array_module
from minidl.nn import init
from minidl.nn.module import Parameter


class CellWeights(NamedTuple):
    """The four weights of one cell (arrays, Parameters or their gradients); biases may be None."""

    weight_ih: object  # [G*H, I]
    weight_hh: object  # [G*H, H]
    bias_ih: object = None  # [G*H] or None
    bias_hh: object = None  # [G*H] or None

    @classmethod
    def from_named(cls, named: dict, suffix: str = "") -> CellWeights:
        """Pick ``weight_ih{suffix}`` ... out of ``named``; a missing bias becomes None."""
        return cls(*(named.get(name + suffix) for name in cls._fields))

    def named(self, suffix: str = "") -> dict:
        """{name + suffix: weight} for the weights that exist (no None biases)."""
        return {name + suffix: w for name, w in zip(self._fields, self) if w is not None}


def parameter_suffix(layer_index: int, direction: int) -> str:
    """PyTorch's suffix of the weights of one layer and direction (0 forward, 1 reverse): "_l1", "_l0_reverse"."""
    return f"_l{layer_index}" + ("_reverse" if direction == 1 else "")


def new_parameters(n_gates: int, input_size: int, hidden_size: int, *, bias: bool, dtype) -> CellWeights:
    """Fresh Parameters of one cell, drawn as PyTorch does: U(-1/sqrt(H), 1/sqrt(H)).

    They are drawn in the order weight_ih, weight_hh, bias_ih, bias_hh, so a
    seeded model is the same whichever module creates it.
    """
    rows, H = n_gates * hidden_size, hidden_size
    bound = init.fan_in_bound(H)

    def draw(shape):
        return Parameter(init.uniform(shape, bound, dtype))

    weight_ih, weight_hh = draw((rows, input_size)), draw((rows, H))
    if not bias:
        return CellWeights(weight_ih, weight_hh)
    return CellWeights(weight_ih, weight_hh, draw((rows,)), draw((rows,)))


def input_projection(step, x, weights: CellWeights):
    """gx = x W_ih^T + (the bias that goes with it), and the bias left for gh.

    Parameters
    ----------
    step : Step
        Decides where the hidden bias goes (``Step.split_biases``).
    x : array [N, I]
        One step's batch (N = B) or every step at once (N = T*B).
    weights : CellWeights of arrays

    Returns
    -------
    gx : array [N, G*H]
    gh_bias : array [G*H] or None
        The hidden bias the step must add to gh itself (GRU), else None.
    """
    gx = x @ weights.weight_ih.T  # [N, G*H]
    gx_bias, gh_bias = step.split_biases(weights.bias_ih, weights.bias_hh)
    if gx_bias is not None:
        gx += gx_bias  # gx is a fresh product: adding in place saves a copy
    return gx, gh_bias


def projection_gradients(d_gx, d_gh, x, h_prev, weights: CellWeights, *, need_dx: bool = True):
    """The backward of both projections: dL/dx and the weight gradients.

    Parameters
    ----------
    d_gx, d_gh : arrays [N, G*H]
        dL/d(input projection) and dL/d(hidden projection), rows summed over
        (N = B for one step, N = T*B for a whole sequence). ``d_gh`` may be
        the same object as ``d_gx`` (RNN, LSTM: the two are simply added).
    x : array [N, I]
        The input that entered each row.
    h_prev : array [N, H]
        The hidden state that entered each row.
    weights : CellWeights of arrays
    need_dx : bool
        False when nobody needs dL/dx: dx is then None and its product skipped.

    Returns
    -------
    dx : array [N, I] or None
    d_weights : CellWeights of arrays
        Gradients of weight_ih [G*H, I], weight_hh [G*H, H] and, with bias,
        bias_ih and bias_hh [G*H] (else None).
    """
    dx = d_gx @ weights.weight_ih if need_dx else None  # back through x W_ih^T
    d_w_ih = d_gx.T @ x
    d_w_hh = d_gh.T @ h_prev
    if weights.bias_ih is None:
        return dx, CellWeights(d_w_ih, d_w_hh)
    # column sums as BLAS products: twice as fast as NumPy's sum(axis=0)
    ones = array_module(d_gx).ones(d_gx.shape[0], dtype=d_gx.dtype)
    d_b_ih = ones @ d_gx
    d_b_hh = d_b_ih.copy() if d_gh is d_gx else ones @ d_gh
    return dx, CellWeights(d_w_ih, d_w_hh, d_b_ih, d_b_hh)


__all__ = ["CellWeights", "input_projection", "new_parameters", "parameter_suffix", "projection_gradients"]
