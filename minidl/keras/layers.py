"""Keras-style layers over minidl modules: ``Dense``, ``SimpleRNN``, ``LSTM``, ``GRU``, ``Dropout``,
``Masking`` and ``Bidirectional``; the convolutional ones (``Conv1D``, ``MaxPooling1D``,
``GlobalAveragePooling1D``, ``BatchNormalization``) are in ``conv_layers`` and exported here.

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

import numpy as np

from minidl import validate
from minidl.nn import GRU as TorchStyleGRU
from minidl.nn import LSTM as TorchStyleLSTM
from minidl.nn import RNN as TorchStyleRNN
from minidl.nn import Dropout as TorchStyleDropout
from minidl.nn import Linear, Module
from minidl.ops.shape import concat
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
    ``get_config()`` returns the constructor's arguments, so that
    ``type(layer)(**layer.get_config())`` makes the same layer, unbuilt (what
    ``Model.save`` records).
    """

    changes_lengths = False  # Masking: the layer returns (x, lengths) instead of x

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

    def get_config(self) -> dict:
        return {"name": self.name, "input_shape": None if self.input_shape is None else list(self.input_shape)}


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

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation,
                "use_bias": self.use_bias}


class Dropout(Layer):
    """Zero a fraction ``rate`` of the inputs while training (scaling the rest by 1/(1-rate))."""

    def __init__(self, rate: float, **kwargs):
        super().__init__(**kwargs)
        self.rate = validate.probability("rate", rate)
        self.dropout = TorchStyleDropout(self.rate)
        self.built = True

    def forward(self, x, lengths=None):
        return self.dropout(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class Masking(Layer):
    """Skip the time steps whose features all equal ``mask_value``: Keras's padding mask, as ``lengths``.

    Keras marks such steps in a mask that the recurrent layers after it skip,
    carrying their state over them. Here the layer moves each sequence's
    valid steps to the front, in order (padding to the back), and hands the
    count of valid steps on as ``lengths``, which minidl's recurrent layers
    skip exactly as packed sequences: the final states are those of the
    unpadded sequences, and ``return_sequences`` gives their outputs
    left-aligned, zeros after each sequence's end. Works for front padding
    (Keras's ``pad_sequences`` default), back padding, or gaps.

    Input [batch, time, features]; returns (compacted input, lengths [batch]).
    """

    changes_lengths = True

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(mask_value, (int, float)):
            raise ValueError(f"mask_value must be a number, got {mask_value!r}")
        self.mask_value = float(mask_value)
        self.built = True

    def forward(self, x, lengths=None):
        if x.ndim != 3:
            raise ValueError(f"Masking expects [batch, time, features], got shape {x.shape}")
        data = x.numpy()
        valid = (data != self.mask_value).any(axis=-1)  # [B, T]: a step counts if any feature differs
        if lengths is not None:  # earlier padding stays padding
            valid &= np.arange(data.shape[1])[None, :] < np.asarray(lengths)[:, None]
        counts = valid.sum(axis=1)
        if (counts == 0).any():
            raise ValueError(f"Masking: sequence {int(np.argmin(counts))} has no step that differs from "
                             f"mask_value={self.mask_value}; every sequence needs at least one")
        order = np.argsort(~valid, axis=1, kind="stable")  # [B, T]: valid steps first, in their order
        rows = np.arange(data.shape[0])[:, None]
        return x[rows, order], counts.astype(np.int64)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


class _Recurrent(Layer):
    """Shared by SimpleRNN, LSTM and GRU: one minidl recurrent layer, batch first.

    ``bidirectional`` and ``merge_mode`` are set by the ``Bidirectional``
    wrapper, which builds its layer with a second, reversed direction.
    """

    module_class = None
    forget_gate = None  # LSTM: which gate's bias starts at 1

    def __init__(self, units: int, return_sequences: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.units = validate.positive_int("units", units)
        self.return_sequences = bool(return_sequences)
        self.bidirectional = False
        self.merge_mode = "concat"

    def _make(self, input_size: int):
        return self.module_class(input_size, self.units, batch_first=True, bidirectional=self.bidirectional)

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects input_shape (time, features), got {input_shape}")
        self.recurrent = self._make(input_shape[-1])
        keras_recurrent(self.recurrent, forget_gate=self.forget_gate)
        self.built = True

    def output_shape(self, input_shape):
        width = 2 * self.units if self.bidirectional and self.merge_mode == "concat" else self.units
        return (input_shape[0], width) if self.return_sequences else (width,)

    def forward(self, x, lengths=None):
        outputs, final = self.recurrent(x, lengths=lengths)  # [B, T, D * units], [D, B, units]
        if self.return_sequences:
            if not self.bidirectional or self.merge_mode == "concat":
                return outputs
            forward, backward = outputs[..., :self.units], outputs[..., self.units:]
            return MERGE_MODES[self.merge_mode](forward, backward)
        h_n = final[0] if isinstance(final, tuple) else final  # LSTM returns (h_n, c_n)
        if not self.bidirectional:
            return h_n[0]  # each sequence's last valid step: [B, units]
        # the reverse direction ends at t = 0: its final state is Keras's backward layer's last output
        return MERGE_MODES[self.merge_mode](h_n[0], h_n[1])

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "return_sequences": self.return_sequences}


class SimpleRNN(_Recurrent):
    """Keras's SimpleRNN: h_t = activation(x_t W + h_{t-1} U + b), on minidl's ``nn.RNN``."""

    module_class = TorchStyleRNN

    def __init__(self, units: int, activation: str = "tanh", return_sequences: bool = False, **kwargs):
        super().__init__(units, return_sequences, **kwargs)
        if activation not in ("tanh", "relu"):
            raise ValueError(f"SimpleRNN activation must be 'tanh' or 'relu', got {activation!r}")
        self.rnn_activation = activation

    def _make(self, input_size):
        return TorchStyleRNN(input_size, self.units, nonlinearity=self.rnn_activation, batch_first=True,
                             bidirectional=self.bidirectional)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": self.rnn_activation}


class LSTM(_Recurrent):
    """Keras's LSTM on minidl's ``nn.LSTM`` (gates i, f, g, o)."""

    module_class = TorchStyleLSTM
    forget_gate = 1  # gate order i, f, g, o


class GRU(_Recurrent):
    """Keras's GRU (``reset_after=True``, its default since Keras 2.3) on minidl's ``nn.GRU``."""

    module_class = TorchStyleGRU


MERGE_MODES = {
    "concat": lambda forward, backward: concat([forward, backward], axis=-1),
    "sum": lambda forward, backward: forward + backward,
    "mul": lambda forward, backward: forward * backward,
    "ave": lambda forward, backward: (forward + backward) * 0.5,
}


class Bidirectional(Layer):
    """Keras's ``Bidirectional(LSTM(...))``: the layer read forwards and backwards, with separate weights.

    Built on the wrapped layer's minidl module with ``bidirectional=True``
    (PyTorch's layout: the reverse direction's weights are ``*_reverse``),
    so padded batches with ``lengths`` reverse each sequence within its own
    length. ``merge_mode`` joins the two directions: "concat" (default,
    [.., 2 * units]), "sum", "mul" or "ave".
    """

    def __init__(self, layer, merge_mode: str = "concat", **kwargs):
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional wraps a SimpleRNN, LSTM or GRU layer, got {type(layer).__name__}")
        if layer.built:
            raise ValueError("Bidirectional needs an unbuilt layer: pass LSTM(...) itself, not a used one")
        super().__init__(input_shape=kwargs.pop("input_shape", layer.input_shape), **kwargs)
        self.merge_mode = validate.choice("merge_mode", merge_mode, tuple(MERGE_MODES))
        self.layer = layer
        layer.bidirectional, layer.merge_mode = True, self.merge_mode

    def build(self, input_shape):
        self.layer.build(input_shape)
        self.built = True

    def output_shape(self, input_shape):
        return self.layer.output_shape(input_shape)

    def forward(self, x, lengths=None):
        return self.layer(x, lengths=lengths)

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": {"class_name": type(self.layer).__name__, "config": self.layer.get_config()}}


from minidl.keras.conv_layers import (  # noqa: E402  (they subclass Layer, defined above)
    BatchNormalization, Conv1D, GlobalAveragePooling1D, MaxPooling1D,
)
