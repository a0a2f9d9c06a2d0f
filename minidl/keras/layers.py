"""Keras-style layers over minidl modules: ``Dense``, ``SimpleRNN``, ``LSTM``, ``GRU``, ``Dropout``.

A Keras layer is told only its output size (``units``); its input size is
learned when the model is built, from ``input_shape`` or from the first
data it sees. Each layer here is a minidl ``Module`` that creates its minidl
module (``nn.Linear``, ``nn.RNN``, ...) in ``build`` — the math is theirs —
and starts it with Keras's initializers (see ``initializers``).

Inputs are batch-first, as in Keras: recurrent layers take [batch, time,
features]; ``return_sequences=True`` returns every step [batch, time, units],
otherwise the last step [batch, units].
"""
from __future__ import annotations

from minidl import validate
from minidl.nn import GRU as TorchStyleGRU
from minidl.nn import LSTM as TorchStyleLSTM
from minidl.nn import RNN as TorchStyleRNN
from minidl.nn import Dropout as TorchStyleDropout
from minidl.nn import Linear, Module
from minidl.keras.initializers import keras_dense, keras_recurrent

ACTIVATIONS = {
    None: lambda x: x,
    "linear": lambda x: x,
    "relu": lambda x: x.relu(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "softmax": lambda x: x.softmax(axis=-1),
}


def check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {[a for a in ACTIVATIONS if a]}, got {activation!r}")
    return activation


class Layer(Module):
    """Base class: ``build(input_shape)`` once, then ``forward(x, lengths=None)``.

    Shapes exclude the batch axis, as Keras writes them: ``input_shape=(time, features)``.
    """

    def __init__(self, *, input_shape=None, name=None):
        super().__init__()
        self.input_shape = None if input_shape is None else tuple(input_shape)
        self.name = name
        self.built = False
        self.activation = None

    def build(self, input_shape: tuple) -> None:
        self.built = True

    def output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


class Dense(Layer):
    """``activation(x @ W + b)`` on the last axis: [..., features] -> [..., units]."""

    def __init__(self, units: int, activation=None, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.units = validate.positive_int("units", units)
        self.activation = check_activation(activation)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        self.linear = Linear(input_shape[-1], self.units, bias=self.use_bias)
        keras_dense(self.linear)
        self.built = True

    def output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def forward(self, x, lengths=None, *, activate: bool = True):
        scores = self.linear(x)
        return ACTIVATIONS[self.activation](scores) if activate else scores


class Dropout(Layer):
    """Zero a fraction ``rate`` of the inputs while training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate: float, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate.probability("rate", rate)
        self.dropout = TorchStyleDropout(self.rate)
        self.built = True

    def forward(self, x, lengths=None):
        return self.dropout(x)


class _Recurrent(Layer):
    """Shared by SimpleRNN, LSTM and GRU: one minidl recurrent layer, batch first."""

    module_class = None
    forget_gate = None  # LSTM: which gate's bias starts at 1

    def __init__(self, units: int, return_sequences: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units = validate.positive_int("units", units)
        self.return_sequences = bool(return_sequences)

    def _make(self, input_size: int):
        return self.module_class(input_size, self.units, batch_first=True)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects input_shape (time, features), got {input_shape}")
        self.recurrent = self._make(input_shape[-1])
        keras_recurrent(self.recurrent, forget_gate=self.forget_gate)
        self.built = True

    def output_shape(self, input_shape):
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def forward(self, x, lengths=None):
        outputs, final = self.recurrent(x, lengths=lengths)  # [B, T, units], [1, B, units]
        if self.return_sequences:
            return outputs
        h_n = final[0] if isinstance(final, tuple) else final  # LSTM returns (h_n, c_n)
        return h_n[0]  # each sequence's last valid step: [B, units]


class SimpleRNN(_Recurrent):
    """Keras's SimpleRNN: h_t = activation(x_t W + h_{t-1} U + b), on minidl's ``nn.RNN``."""

    module_class = TorchStyleRNN

    def __init__(self, units: int, activation: str = "tanh", return_sequences: bool = False, **kwargs):
        super().__init__(units, return_sequences, **kwargs)
        if activation not in ("tanh", "relu"):
            raise ValueError(f"SimpleRNN activation must be 'tanh' or 'relu', got {activation!r}")
        self.rnn_activation = activation

    def _make(self, input_size):
        return TorchStyleRNN(input_size, self.units, nonlinearity=self.rnn_activation, batch_first=True)


class LSTM(_Recurrent):
    """Keras's LSTM on minidl's ``nn.LSTM`` (gates i, f, g, o)."""

    module_class = TorchStyleLSTM
    forget_gate = 1  # gate order i, f, g, o


class GRU(_Recurrent):
    """Keras's GRU (``reset_after=True``, its default since Keras 2.3) on minidl's ``nn.GRU``."""

    module_class = TorchStyleGRU
