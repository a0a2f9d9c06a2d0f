"""One time step of each recurrent cell, forward and backward, on arrays.

A step is the innermost piece of the recurrent code; the data reach it
one way: layer -> autograd node (``node.py``) -> time loop (``bptt.py``)
-> step (here) -> gate kernel (``kernels.recurrent``). The cells
(``cells.py``) call the same steps one at a time. (On the numba backend
a layer runs ``kernels/recurrent/loop.py`` instead, which compiles this
same loop over steps whole.)

The input projection ``gx = x_t W_ih^T + b`` is *not* here
(``weights.input_projection``): a layer computes it for all time steps in
one matrix product before the loop. What remains per step is the hidden
projection ``gh = h_{t-1} W_hh^T`` (BLAS) and the gate math, done by
``kernel``: the module of ``kernels.recurrent`` for the arrays' backend.

A state is a tuple of arrays [B, H]: ``(h,)`` for RNN and GRU, ``(h, c)``
for LSTM. ``forward(kernel, gx, state, w_hh_t, b_hh)`` returns
``(new_state, cache)``; ``backward(kernel, d_state, cache, w_hh)`` returns
``(d_gx, d_gh, d_state_prev)``: the gradients of the two projections (for
the weight gradients, ``weights.projection_gradients``) and of the previous
state (to carry to step t-1).
"""
from __future__ import annotations

from minidl import validate

NONLINEARITIES = ("tanh", "relu")


class Step:
    """The interface of a step, and what the three steps share: where the two biases go.

    Subclasses set ``name``, ``n_gates`` (blocks of G*H rows in the weights)
    and ``n_states`` (1 or 2), and define ``forward`` and ``backward``.
    """

    hidden_bias_in_gx = True  # b_hh can be added once, with the input projection

    def split_biases(self, b_ih, b_hh):
        """(bias of gx, bias of gh). RNN, LSTM: both up front; GRU: b_hh stays with gh.

        Parameters
        ----------
        b_ih, b_hh : array [G*H] or None
            None when the cell has no bias (then both are None).

        Returns
        -------
        (array [G*H] or None, array [G*H] or None)
        """
        if b_ih is None:
            return None, None
        if self.hidden_bias_in_gx:
            return b_ih + b_hh, None
        return b_ih, b_hh

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        """One step forward.

        Parameters
        ----------
        kernel : module
            ``kernels.recurrent.for_arrays(gx)``: the gate math for this backend.
        gx : array [B, G*H]
            The input projection x_t W_ih^T with its bias(es).
        state : tuple of arrays [B, H]
            (h_{t-1},) or (h_{t-1}, c_{t-1}).
        w_hh_t : array [H, G*H]
            W_hh transposed, so that gh = h_{t-1} @ w_hh_t.
        b_hh : array [G*H] or None
            The hidden bias, when ``split_biases`` keeps it with gh.

        Returns
        -------
        new_state : tuple of arrays [B, H]
        cache : what ``backward`` needs
        """
        raise TypeError(f"{type(self).__name__} must define forward")

    def backward(self, kernel, d_state, cache, w_hh):
        """One step backward: the forward above, in reverse.

        Parameters
        ----------
        kernel : module
            As in ``forward``.
        d_state : tuple of arrays [B, H]
            dL/dh_t (and dL/dc_t): the gradient of the state this step produced.
        cache : from ``forward``
        w_hh : array [G*H, H]

        Returns
        -------
        d_gx : array [B, G*H]
            dL/d(input projection).
        d_gh : array [B, G*H]
            dL/d(hidden projection); the same object as d_gx when the two are
            simply added (RNN, LSTM), which lets the caller skip a product.
        d_state_prev : tuple of arrays [B, H]
            dL/dh_{t-1} (and dL/dc_{t-1}).
        """
        raise TypeError(f"{type(self).__name__} must define backward")


class RNNStep(Step):
    r"""Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)."""

    name = "RNN"
    n_gates = 1  # blocks in W_ih: [H]
    n_states = 1

    def __init__(self, nonlinearity: str = "tanh"):
        self.nonlinearity = validate.choice("nonlinearity", nonlinearity, NONLINEARITIES)
        if nonlinearity == "relu":
            self.name = "RNN_RELU"

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        (h_prev,) = state
        gh = h_prev @ w_hh_t                               # [B, H]
        h = kernel.rnn_forward(gx, gh, self.nonlinearity)  # act(gx + gh)
        return (h,), h

    def backward(self, kernel, d_state, cache, w_hh):
        # HINT: cache is h_t; return (d_gx, d_gh, (dh_{t-1},)): both projections get dL/d(pre-activation), and h_{t-1} gets it times W_hh
        # BEGIN SOLUTION 2.1
        (dh,) = d_state
        d_pre = kernel.rnn_backward(dh, cache, self.nonlinearity)  # dh * act'
        return d_pre, d_pre, (d_pre @ w_hh,)                       # dh_{t-1} = d_pre W_hh
        # END SOLUTION


class LSTMStep(Step):
    r"""LSTM: gates [i | f | g | o] from W_ih x_t + W_hh h_{t-1} + b; c_t = f c + i g; h_t = o tanh(c_t)."""

    name = "LSTM"
    n_gates = 4
    n_states = 2

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        h_prev, c_prev = state
        gh = h_prev @ w_hh_t                                       # [B, 4H]
        h, c, gates, tanh_c = kernel.lstm_forward(gx, gh, c_prev)  # the cell update
        return (h, c), (gates, tanh_c, c_prev)

    def backward(self, kernel, d_state, cache, w_hh):
        # HINT: call kernel.lstm_backward with the cache from forward, then return (d_gx, d_gh, (dh_{t-1}, dc_{t-1}))
        # BEGIN SOLUTION 2.2
        dh, dc = d_state
        gates, tanh_c, c_prev = cache
        d_a, dc_prev = kernel.lstm_backward(dh, dc, gates, c_prev, tanh_c)
        return d_a, d_a, (d_a @ w_hh, dc_prev)  # dh_{t-1} = d_a W_hh
        # END SOLUTION


class GRUStep(Step):
    r"""GRU: r, z from both projections; n = tanh(x_n + r (W_hn h + b_hn)); h_t = (1-z) n + z h_{t-1}."""

    name = "GRU"
    n_gates = 3
    n_states = 1
    hidden_bias_in_gx = False  # b_hn sits inside r * (...): it must stay with gh

    def forward(self, kernel, gx, state, w_hh_t, b_hh=None):
        (h_prev,) = state
        gh = h_prev @ w_hh_t                                  # [B, 3H]
        if b_hh is not None:
            gh += b_hh
        h, cache = kernel.gru_forward(gx, gh, h_prev)
        return (h,), (cache, h_prev)

    def backward(self, kernel, d_state, cache, w_hh):
        # HINT: call kernel.gru_backward; h_{t-1} gets gradient along two paths: through z directly and through gh = h_{t-1} W_hh^T
        # BEGIN SOLUTION 2.3
        (dh,) = d_state
        gate_cache, h_prev = cache
        d_gx, d_gh, dh_through_z = kernel.gru_backward(dh, gate_cache, h_prev)
        return d_gx, d_gh, (dh_through_z + d_gh @ w_hh,)     # both paths to h_{t-1}
        # END SOLUTION
