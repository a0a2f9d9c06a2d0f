"""``RNNCell``, ``LSTMCell``, ``GRUCell``: one time step, with its backward in view.

Each cell exposes the two halves of backpropagation through time for one
step, on plain arrays:

``step_forward(x_t, state) -> (new_state, cache)``
    state is ``(h,)`` for RNN/GRU and ``(h, c)`` for LSTM.
``step_backward(d_new_state, cache) -> (dx_t, d_state, param_grads)``
    Given dL/d(new state), return dL/dx_t, dL/d(state) and a dict of the
    parameter gradients contributed by this step.

Calling the cell (``cell(x, h)``) wraps the same two methods in an autograd
node, so a cell composes with the rest of minidl.
"""
from __future__ import annotations

import numpy as np

import kernels.recurrent
from minidl.function import Function
from minidl.nn import init
from minidl.nn.linear import check_positive_int
from minidl.nn.module import Module, Parameter
from minidl.nn.recurrent_steps import GRUStep, LSTMStep, RNNStep
from minidl.tensor import as_tensor


class RecurrentCell(Module):
    """Shared machinery of the three cells; parameters named as in PyTorch."""

    def __init__(self, step, input_size: int, hidden_size: int, bias: bool = True, *, dtype=np.float32):
        super().__init__()
        self.step = step
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        G, H = step.n_gates, self.hidden_size
        bound = init.fan_in_bound(H)
        self.weight_ih = Parameter(init.uniform((G * H, self.input_size), bound, dtype))
        self.weight_hh = Parameter(init.uniform((G * H, H), bound, dtype))
        self.bias_ih = Parameter(init.uniform((G * H,), bound, dtype)) if bias else None
        self.bias_hh = Parameter(init.uniform((G * H,), bound, dtype)) if bias else None

    # ------------------------------------------------------------ one step on arrays
    def step_forward(self, x_t, state, weights=None):
        """One step forward.

        Parameters
        ----------
        x_t : array [B, I]
        state : tuple of arrays [B, H]  — (h,) or (h, c)
        weights : (w_ih, w_hh, b_ih, b_hh) arrays, optional
            Default: this cell's parameters. (The autograd node passes its
            inputs here, so what is differentiated is what was used.)

        Returns
        -------
        new_state : tuple of arrays [B, H]
        cache : what step_backward needs
        """
        w_ih, w_hh, b_ih, b_hh = self.weight_arrays() if weights is None else weights
        k = kernels.recurrent.for_arrays(x_t)
        gx = x_t @ w_ih.T                                      # input projection [B, G*H]
        gx_bias, gh_bias = self.step.split_biases(b_ih, b_hh)  # GRU keeps b_hn inside r * (...)
        if gx_bias is not None:
            gx = gx + gx_bias
        new_state, step_cache = self.step.forward(k, gx, tuple(state), w_hh.T, gh_bias)
        return new_state, (x_t, state[0], step_cache, (w_ih, w_hh, b_ih))

    def step_backward(self, d_new_state, cache):
        """One step backward.

        Parameters
        ----------
        d_new_state : tuple of arrays [B, H]  — dL/dh_t (and dL/dc_t)
        cache : from step_forward

        Returns
        -------
        dx_t : array [B, I]
        d_state : tuple of arrays [B, H]  — dL/dh_{t-1} (and dL/dc_{t-1})
        param_grads : dict name -> array, this step's share of each parameter's gradient
        """
        x_t, h_prev, step_cache, (w_ih, w_hh, b_ih) = cache
        k = kernels.recurrent.for_arrays(x_t)
        d_gx, d_gh, d_state = self.step.backward(k, tuple(d_new_state), step_cache, w_hh)
        dx_t = d_gx @ w_ih                                     # back through x_t W_ih^T
        grads = {"weight_ih": d_gx.T @ x_t, "weight_hh": d_gh.T @ h_prev}
        if b_ih is not None:
            grads["bias_ih"] = d_gx.sum(axis=0)
            grads["bias_hh"] = d_gh.sum(axis=0)
        return dx_t, d_state, grads

    def weight_arrays(self):
        """(w_ih, w_hh, b_ih, b_hh) as arrays; the biases are None without bias."""
        return tuple(None if p is None else p.data for p in (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh))

    # ------------------------------------------------------------ as a module
    def forward(self, input, hx=None):
        x = as_tensor(input)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input [batch, {self.input_size}], got shape {x.shape}"
            )
        shape = (x.shape[0], self.hidden_size)
        n = self.step.n_states
        if hx is None:
            states = [x.xp.zeros(shape, dtype=x.dtype)] * n
        else:
            states = [hx] if n == 1 else list(hx)
            if len(states) != n:
                raise ValueError(f"{type(self).__name__} expects the state as (h, c), got {len(states)} arrays")
            for s in states:
                if tuple(as_tensor(s).shape) != shape:
                    raise ValueError(
                        f"{type(self).__name__}: state has shape {as_tensor(s).shape}, expected {shape}"
                    )
        params = [p for p in (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh) if p is not None]
        new = CellFunction.apply(x, *states, *params, cell=self)
        return new[0] if n == 1 else new

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}"


class CellFunction(Function):
    """One cell step as an autograd node: forward = step_forward, backward = step_backward."""

    def forward(self, x, *arrays, cell=None):
        self.cell = cell
        n = cell.step.n_states
        state, weights = arrays[:n], list(arrays[n:])
        if len(weights) == 2:  # no bias
            weights += [None, None]
        new_state, self.cache = cell.step_forward(x, state, tuple(weights))
        return tuple(new_state)

    def backward(self, *d_new_state):
        dx, d_state, grads = self.cell.step_backward(d_new_state, self.cache)
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if "bias_ih" in grads else [])
        return (dx, *d_state, *(grads[n] for n in names))


class RNNCell(RecurrentCell):
    r"""h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). Shapes: x [B, I], h [B, H]."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", *, dtype=np.float32):
        super().__init__(RNNStep(nonlinearity), input_size, hidden_size, bias, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(RecurrentCell):
    r"""(h', c') from x [B, I] and (h, c) [B, H]: gates i, f, g, o; c' = f c + i g; h' = o tanh(c')."""

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=np.float32):
        super().__init__(LSTMStep(), input_size, hidden_size, bias, dtype=dtype)


class GRUCell(RecurrentCell):
    r"""h' from x [B, I] and h [B, H]: gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=np.float32):
        super().__init__(GRUStep(), input_size, hidden_size, bias, dtype=dtype)
