"""Keras's convolutional layers over minidl's: ``Conv1D``, ``MaxPooling1D``, ``GlobalAveragePooling1D``,
``BatchNormalization``.

Keras's layout is ``channels_last``, [batch, steps, channels]; minidl's
modules take PyTorch's [N, C, L]. Each layer here transposes in, runs the
module (``nn.Conv1d``, ``nn.CausalConv1d``, ``nn.MaxPool1d``,
``nn.masked_mean``, ``nn.BatchNorm1d``) and transposes out: the math is
the modules'. Lengths from a ``Masking`` layer follow the steps through
each layer that changes their count (the output-length formula of
``kernels.conv``), so ``GlobalAveragePooling1D`` averages valid steps only,
as Keras's does with a mask.
"""
from __future__ import annotations

import numpy as np

from kernels.conv import output_length
from minidl import validate
from minidl.keras.initializers import keras_conv
from minidl.keras.layers import ACTIVATIONS, Layer, check_activation
from minidl.nn import BatchNorm1d, CausalConv1d, Conv1d, MaxPool1d, masked_mean


def channels_first(module, x):
    """module applied to x [B, steps, C] as [B, C, steps]; returns [B, steps', C']."""
    return module(x.transpose(1, 2)).transpose(1, 2)


class Conv1D(Layer):
    """``activation(conv(x, kernel) + bias)`` over steps: [batch, steps, channels] -> [batch, steps', filters].

    Parameters
    ----------
    filters, kernel_size : int
    strides, dilation_rate : int
    padding : {"valid", "same", "causal"}
        "same" keeps the steps (strides=1 only); "causal" pads d (K - 1)
        zeros on the left, so step t sees steps <= t.
    activation : str or None
    use_bias : bool

    Kernel from Glorot's uniform distribution (fan_in = kernel_size
    channels, fan_out = kernel_size filters), bias zeros, as Keras.
    steps' = floor((steps + pad - dilation_rate (kernel_size - 1) - 1) / strides) + 1.

    Examples
    --------
    >>> from minidl.keras.models import Sequential
    >>> model = Sequential([Conv1D(8, 3, padding="same", activation="relu", input_shape=(40, 1))])
    >>> model.predict(np.zeros((5, 40, 1), np.float32)).shape
    (5, 40, 8)
    """

    changes_lengths = True  # the steps of each sequence change with "valid" padding and strides

    def __init__(self, filters: int, kernel_size: int, strides: int = 1, padding: str = "valid",
                 dilation_rate: int = 1, activation=None, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.filters = validate.positive_int("filters", filters)
        self.kernel_size = validate.positive_int("kernel_size", kernel_size)
        self.strides = validate.positive_int("strides", strides)
        self.dilation_rate = validate.positive_int("dilation_rate", dilation_rate)
        self.padding = validate.choice("padding", padding, ("valid", "same", "causal"))
        if padding == "same" and strides != 1:
            raise ValueError(f"Conv1D: padding='same' needs strides=1 here, got strides={strides}; "
                             "use 'valid' or 'causal'")
        self.activation = check_activation(activation)
        self.use_bias = bool(use_bias)

    def _pad(self) -> tuple:
        span = self.dilation_rate * (self.kernel_size - 1)
        return {"valid": (0, 0), "same": (span // 2, span - span // 2), "causal": (span, 0)}[self.padding]

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Conv1D expects input_shape (steps, channels), got {input_shape}")
        options = dict(stride=self.strides, dilation=self.dilation_rate, bias=self.use_bias)
        if self.padding == "causal":
            self.conv = CausalConv1d(input_shape[-1], self.filters, self.kernel_size, **options)
        else:
            self.conv = Conv1d(input_shape[-1], self.filters, self.kernel_size, padding=self.padding, **options)
        keras_conv(self.conv)
        self.built = True

    def _steps(self, steps):
        return output_length(steps, self.kernel_size, stride=self.strides, padding=self._pad(),
                             dilation=self.dilation_rate)

    def output_shape(self, input_shape):
        steps = None if input_shape[0] is None else int(self._steps(input_shape[0]))
        return (steps, self.filters)

    def forward(self, x, lengths=None, *, activate: bool = True):
        y = channels_first(self.conv, x)  # [B, steps', filters]
        y = ACTIVATIONS[self.activation](y) if activate else y
        return y, None if lengths is None else np.maximum(self._steps(np.asarray(lengths)), 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "dilation_rate": self.dilation_rate,
                "activation": self.activation, "use_bias": self.use_bias}


class MaxPooling1D(Layer):
    """The maximum over windows of ``pool_size`` steps every ``strides``: [batch, steps, C] -> [batch, steps', C].

    Parameters
    ----------
    pool_size : int
    strides : int or None
        Default ``pool_size``.
    padding : {"valid"}
        Keras's "same" (asymmetric -inf padding) is not supported.

    steps' = floor((steps - pool_size) / strides) + 1.
    """

    changes_lengths = True

    def __init__(self, pool_size: int = 2, strides=None, padding: str = "valid", **kwargs):
        super().__init__(**kwargs)
        self.pool_size = validate.positive_int("pool_size", pool_size)
        self.strides = self.pool_size if strides is None else validate.positive_int("strides", strides)
        self.padding = validate.choice("padding", padding, ("valid",))
        self.pool = MaxPool1d(self.pool_size, self.strides)
        self.built = True

    def _steps(self, steps):
        return output_length(steps, self.pool_size, stride=self.strides)

    def output_shape(self, input_shape):
        return (None if input_shape[0] is None else int(self._steps(input_shape[0])), *input_shape[1:])

    def forward(self, x, lengths=None):
        y = channels_first(self.pool, x)  # [B, steps', C]
        return y, None if lengths is None else np.maximum(self._steps(np.asarray(lengths)), 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


class GlobalAveragePooling1D(Layer):
    """The mean over steps: [batch, steps, C] -> [batch, C]; with lengths (after ``Masking``), over valid steps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def output_shape(self, input_shape):
        return input_shape[1:]

    def forward(self, x, lengths=None):
        if lengths is None:
            return x.mean(axis=1)
        return masked_mean(x.transpose(1, 2), lengths)  # [B, C, steps] -> [B, C]


class BatchNormalization(Layer):
    """Keras's batch normalization of the last axis (channels), on minidl's ``nn.BatchNorm1d``.

    Parameters
    ----------
    axis : -1
        The channels; only the last axis is supported.
    momentum : float
        Keras's: the weight of the *old* running value,
        moving <- momentum moving + (1 - momentum) batch, so the module's
        (PyTorch's) momentum is 1 - momentum.
    epsilon : float

    Input [batch, C] or [batch, steps, C]. gamma ones, beta zeros, moving
    mean zeros, moving variance ones, as Keras. One difference remains:
    the running variance moves towards the batch's unbiased variance
    (PyTorch's rule, the module's), Keras's towards the biased one, a
    factor m / (m - 1) for m values per channel. Statistics include padded
    steps (Keras's layer ignores masks too).
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        if axis != -1:
            raise ValueError(f"BatchNormalization: only axis=-1 (channels last) is supported, got {axis!r}")
        self.axis = axis
        self.momentum = validate.probability("momentum", momentum)
        self.epsilon = validate.non_negative("epsilon", epsilon)

    def build(self, input_shape):
        self.norm = BatchNorm1d(input_shape[-1], eps=self.epsilon, momentum=1.0 - self.momentum)
        self.built = True

    def forward(self, x, lengths=None):
        return self.norm(x) if x.ndim == 2 else channels_first(self.norm, x)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon}
