"""``RNNCell``, ``LSTMCell``, ``GRUCell``: one time step, with its backward in view.

Each cell exposes the two halves of backpropagation through time for one
step, on plain arrays:

``step_forward(x_t, state) -> (new_state, cache)``
    state is ``(h,)`` for RNN/GRU and ``(h, c)`` for LSTM.
``step_backward(d_new_state, cache) -> (dx_t, d_state, param_grads)``
    Given dL/d(new state), return dL/dx_t, dL/d(state) and a dict of the
    parameter gradients contributed by this step.

Both are the module functions :func:`cell_forward` and :func:`cell_backward`
applied to the cell's own weights. Calling the cell (``cell(x, h)``) runs
the same two functions in an autograd node (:class:`CellFunction`), which
is given the step and the weights by name — never the cell itself.
"""
from __future__ import annotations

import numpy as np

import kernels.recurrent
from minidl.function import Function
from minidl import validate
from minidl.nn.module import Module
from minidl.nn.recurrent.inputs import initial_states
from minidl.nn.recurrent.steps import GRUStep, LSTMStep, RNNStep
from minidl.nn.recurrent.weights import CellWeights, input_projection, new_parameters, projection_gradients
from minidl.tensor import as_tensor


def cell_forward(step, x_t, state, weights: CellWeights):
    """One step forward: the input projection, then ``step.forward``.

    Parameters
    ----------
    step : Step
    x_t : array [B, I]
    state : tuple of arrays [B, H]
        (h,) or (h, c).
    weights : CellWeights of arrays

    Returns
    -------
    new_state : tuple of arrays [B, H]
    cache : what :func:`cell_backward` needs
    """
    kernel = kernels.recurrent.for_arrays(x_t)
    gx, gh_bias = input_projection(step, x_t, weights)  # [B, G*H]
    new_state, step_cache = step.forward(kernel, gx, tuple(state), weights.weight_hh.T, gh_bias)
    return new_state, (step, x_t, state[0], step_cache, weights)


def cell_backward(d_new_state, cache):
    """One step backward: ``step.backward``, then the projections' gradients.

    Parameters
    ----------
    d_new_state : tuple of arrays [B, H]
        dL/dh_t (and dL/dc_t).
    cache : from :func:`cell_forward`

    Returns
    -------
    dx_t : array [B, I]
    d_state : tuple of arrays [B, H]
        dL/dh_{t-1} (and dL/dc_{t-1}).
    d_weights : CellWeights of arrays
        This step's share of each weight's gradient (None for a missing bias).
    """
    step, x_t, h_prev, step_cache, weights = cache
    kernel = kernels.recurrent.for_arrays(x_t)
    d_gx, d_gh, d_state = step.backward(kernel, tuple(d_new_state), step_cache, weights.weight_hh)
    dx_t, d_weights = projection_gradients(d_gx, d_gh, x_t, h_prev, weights)
    return dx_t, d_state, d_weights


class RecurrentCell(Module):
    """Shared machinery of the three cells; parameters named as in PyTorch."""

    def __init__(self, step, input_size: int, hidden_size: int, bias: bool = True, *, dtype=np.float32):
        super().__init__()
        self.step = step
        self.input_size = validate.positive_int("input_size", input_size)
        self.hidden_size = validate.positive_int("hidden_size", hidden_size)
        weights = new_parameters(step.n_gates, self.input_size, self.hidden_size, bias=bias, dtype=dtype)
        for name, parameter in zip(CellWeights._fields, weights):
            setattr(self, name, parameter)  # without bias, bias_ih and bias_hh are None, as in PyTorch

    # ------------------------------------------------------------ one step on arrays
    def step_forward(self, x_t, state, weights=None):
        """One step forward (:func:`cell_forward`).

        Parameters
        ----------
        x_t : array [B, I]
        state : tuple of arrays [B, H]  — (h,) or (h, c)
        weights : CellWeights (or a 4-tuple in its order) of arrays, optional
            Default: this cell's parameters.

        Returns
        -------
        new_state : tuple of arrays [B, H]
        cache : what step_backward needs
        """
        weights = self.weight_arrays() if weights is None else CellWeights(*weights)
        return cell_forward(self.step, x_t, state, weights)

    def step_backward(self, d_new_state, cache):
        """One step backward (:func:`cell_backward`).

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
        dx_t, d_state, d_weights = cell_backward(d_new_state, cache)
        return dx_t, d_state, d_weights.named()

    def weight_arrays(self) -> CellWeights:
        """This cell's weights as arrays; the biases are None without bias."""
        return CellWeights(*(None if p is None else p.data for p in self.weights()))

    def weights(self) -> CellWeights:
        """This cell's weights as Parameters; the biases are None without bias."""
        return CellWeights(self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    # ------------------------------------------------------------ as a module
    def forward(self, input, hx=None):
        x = as_tensor(input)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__} expects input [batch, {self.input_size}], got shape {x.shape}"
            )
        states = initial_states(hx, (x.shape[0], self.hidden_size), n_states=self.step.n_states, like=x,
                                owner=type(self).__name__)
        weights = self.weights().named()
        new_state = CellFunction.apply(x, *states, *weights.values(), step=self.step, weight_names=tuple(weights))
        return new_state[0] if self.step.n_states == 1 else new_state

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}"


class CellFunction(Function):
    """One cell step as an autograd node: forward = cell_forward, backward = cell_backward.

    Inputs: x [B, I], the state(s) [B, H], then the weights named by
    ``weight_names`` (``weight_ih``, ``weight_hh`` and, with bias,
    ``bias_ih``, ``bias_hh``). Outputs: the new state(s) [B, H].
    """

    def forward(self, x, *arrays, step=None, weight_names=()):
        self.weight_names = weight_names
        state, weight_arrays = arrays[:step.n_states], arrays[step.n_states:]
        weights = CellWeights.from_named(dict(zip(weight_names, weight_arrays)))
        new_state, self.cache = cell_forward(step, x, state, weights)
        return tuple(new_state)

    def backward(self, *d_new_state):
        dx, d_state, d_weights = cell_backward(d_new_state, self.cache)
        d_by_name = d_weights.named()
        return (dx, *d_state, *(d_by_name[name] for name in self.weight_names))


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
    r"""h' from x [B, I] and h [B, H]: gates r, z, n; n = tanh(x_n + r (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, bias=True, *, dtype=np.float32):
        super().__init__(GRUStep(), input_size, hidden_size, bias, dtype=dtype)
