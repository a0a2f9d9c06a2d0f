"""The recurrent layers ``RNN``, ``LSTM`` and ``GRU``, PyTorch-compatible.

Constructor arguments, defaults, parameter names and shapes, gate order,
equations and initialization are PyTorch's, so a PyTorch ``state_dict``
converted to arrays loads unchanged.

A call checks its arguments and hands them to one autograd node
(``node.RecurrentFunction``) with a frozen :class:`~minidl.nn.recurrent.node.LayerSettings`
and the weights by name. The data then flow one way: layer -> node ->
time loop (``bptt.py``) -> step (``steps.py``) -> gate kernel
(``kernels.recurrent``); on the numba backend the node hands the whole
loop to ``compiled.py`` -> ``kernels.recurrent.loop`` instead. The only thing that comes back to the layer
besides the outputs is ``grad_norms``, which the node reports after
backward when ``record_grad_norms`` is on.
"""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.nn.module import Module
from minidl.nn.recurrent.inputs import check_lengths, initial_states
from minidl.nn.recurrent.node import LayerSettings, RecurrentFunction
from minidl.nn.recurrent.steps import GRUStep, LSTMStep, RNNStep
from minidl.nn.recurrent.weights import new_parameters, parameter_suffix
from minidl.tensor import as_tensor


class RecurrentLayer(Module):
    """Shared machinery of RNN, LSTM and GRU (see their docstrings)."""

    def __init__(self, step, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 *, bptt_truncate: int = 0, record_grad_norms: bool = False, dtype=np.float32):
        super().__init__()
        self.step = step
        self.input_size = validate.positive_int("input_size", input_size)
        self.hidden_size = validate.positive_int("hidden_size", hidden_size)
        self.num_layers = validate.positive_int("num_layers", num_layers)
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = validate.probability("dropout", dropout)
        self.num_directions = 2 if bidirectional else 1
        bptt_truncate = validate.non_negative_int("bptt_truncate", bptt_truncate)  # 0: full BPTT
        if bptt_truncate and bidirectional:
            raise ValueError("bptt_truncate needs bidirectional=False: chunks of a reversed pass are not defined")
        self.bptt_truncate = bptt_truncate
        self.record_grad_norms = bool(record_grad_norms)
        self.grad_norms = None  # [num_layers, num_directions, T] after backward, when recorded
        for layer_index in range(self.num_layers):
            for direction in range(self.num_directions):
                in_size = self.input_size if layer_index == 0 else self.hidden_size * self.num_directions
                weights = new_parameters(step.n_gates, in_size, self.hidden_size, bias=self.bias, dtype=dtype)
                for name, parameter in weights.named(parameter_suffix(layer_index, direction)).items():
                    setattr(self, name, parameter)

    def settings(self) -> LayerSettings:
        """What the autograd node needs to know about this layer, frozen for one call."""
        return LayerSettings(step=self.step, num_layers=self.num_layers, num_directions=self.num_directions,
                             hidden_size=self.hidden_size, dropout=self.dropout, bptt_truncate=self.bptt_truncate)

    def forward(self, input, hx=None, *, lengths=None):
        x = as_tensor(input)
        if x.ndim != 3:
            raise ValueError(
                f"{self.step.name} expects input of 3 axes "
                f"[{'batch, time' if self.batch_first else 'time, batch'}, features], got shape {x.shape}"
            )
        if self.batch_first:
            x = x.permute(1, 0, 2)  # [B, T, I] -> [T, B, I]
        T, B, features = x.shape
        if features != self.input_size:
            raise ValueError(f"{self.step.name}: input has {features} features, expected input_size={self.input_size}")
        lengths = check_lengths(lengths, T=T, B=B)
        states = initial_states(hx, (self.num_layers * self.num_directions, B, self.hidden_size),
                                n_states=self.step.n_states, like=x, owner=self.step.name, names=("h_0", "c_0"))
        weights = dict(self.named_parameters())
        outputs = RecurrentFunction.apply(
            x, *states, *weights.values(), settings=self.settings(), weight_names=tuple(weights),
            lengths=lengths, training=self.training,
            on_grad_norms=self._keep_grad_norms if self.record_grad_norms else None,
        )
        out, finals = outputs[0], outputs[1:]
        if self.batch_first:
            out = out.permute(1, 0, 2)  # [T, B, D*H] -> [B, T, D*H]
        return out, (finals[0] if self.step.n_states == 1 else tuple(finals))

    def _keep_grad_norms(self, norms) -> None:
        """Store the node's ||dL/dh_t|| [num_layers, num_directions, T] after backward."""
        self.grad_norms = norms

    def extra_repr(self) -> str:
        extras = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            extras.append(f"num_layers={self.num_layers}")
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                extras.append(f"{name}={getattr(self, name)}")
        return ", ".join(extras)


class RNN(RecurrentLayer):
    """Elman RNN layer: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int, default 1
    nonlinearity : {"tanh", "relu"}
    bias, batch_first, dropout, bidirectional
        As in PyTorch.
    bptt_truncate : int, keyword-only
        0 (default) for full BPTT; k > 0 for truncated BPTT over chunks of k steps.
    record_grad_norms : bool, keyword-only
        After backward, ``grad_norms[layer, direction, t]`` = ||dL/dh_t||.

    Call ``rnn(x, hx=None, lengths=None)`` with x [T, B, I] ([B, T, I] if
    batch_first) and the initial state hx [L*D, B, H] (None: zeros); returns
    (output [T, B, D*H], h_n [L*D, B, H]).

    Examples
    --------
    >>> import minidl
    >>> rnn = RNN(input_size=3, hidden_size=4, num_layers=2)
    >>> x = minidl.randn(5, 2, 3)                              # [T, B, I]
    >>> output, h_n = rnn(x, hx=None, lengths=[5, 3])
    >>> output.shape, h_n.shape
    ((5, 2, 4), (2, 2, 4))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, **options):
        super().__init__(RNNStep(nonlinearity), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, **options)
        self.nonlinearity = nonlinearity


class LSTM(RecurrentLayer):
    """LSTM layer (gates i, f, g, o), PyTorch's equations and parameters.

    Same arguments as :class:`RNN` (no ``nonlinearity``). Call
    ``lstm(x, hx=None, lengths=None)`` with hx = (h_0, c_0), each [L*D, B, H]
    (None: zeros); returns (output [T, B, D*H], (h_n, c_n) each [L*D, B, H]).

    Examples
    --------
    >>> import minidl
    >>> lstm = LSTM(input_size=3, hidden_size=4, bidirectional=True)
    >>> x = minidl.randn(5, 2, 3)                              # [T, B, I]
    >>> h_0 = c_0 = minidl.zeros(2, 2, 4)                      # [L*D, B, H]
    >>> output, (h_n, c_n) = lstm(x, hx=(h_0, c_0))
    >>> output.shape, h_n.shape, c_n.shape
    ((5, 2, 8), (2, 2, 4), (2, 2, 4))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, **options):
        super().__init__(LSTMStep(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, **options)


class GRU(RecurrentLayer):
    """GRU layer (gates r, z, n; reset applied to W_hn h + b_hn), PyTorch's equations.

    Same arguments and call as :class:`RNN` (no ``nonlinearity``).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, **options):
        super().__init__(GRUStep(), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, **options)
