"""Keras's default initializers, applied to minidl's parameters.

Keras starts layers differently from PyTorch: kernels from Glorot's uniform
distribution, recurrent kernels as orthogonal matrices, biases at zero, and
the LSTM forget gate's bias at one (``unit_forget_bias``) so that the cell
remembers by default. The facade uses these so a listing written for Keras
starts where Keras would. Draws come from minidl's seeded generator.

minidl stores weights PyTorch's way, [out, in] per layer; Keras's kernel is
the transpose, [in, out]. Fan-in and fan-out below are Keras's.
"""
from __future__ import annotations

import numpy as np

from minidl.random import generator


def glorot_uniform(fan_in: int, fan_out: int, dtype) -> np.ndarray:
    """U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), returned as [fan_out, fan_in]."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return generator().uniform(-limit, limit, (fan_out, fan_in)).astype(dtype)


def orthogonal(units: int, gates: int, dtype) -> np.ndarray:
    """Keras's orthogonal recurrent kernel [units, gates*units], returned as [gates*units, units].

    The QR decomposition of a Gaussian matrix gives orthonormal columns; the
    signs of R's diagonal fix the decomposition's sign ambiguity.
    """
    a = generator().standard_normal((gates * units, units))  # tall, so q has orthonormal columns
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return q.astype(dtype)  # [gates*units, units] = Keras's [units, gates*units] transposed


def keras_dense(linear) -> None:
    """Glorot kernel, zero bias."""
    out_features, in_features = linear.weight.shape
    linear.weight.data = glorot_uniform(in_features, out_features, linear.weight.dtype)
    if linear.bias is not None:
        linear.bias.data = np.zeros_like(linear.bias.data)


def keras_recurrent(layer, *, forget_gate=None) -> None:
    """Glorot input kernels, orthogonal recurrent kernels, zero biases (forget gate at 1)."""
    H, G = layer.hidden_size, layer.step.n_gates
    for name, param in layer.named_parameters():
        if name.startswith("weight_ih"):
            param.data = glorot_uniform(param.shape[1], G * H, param.dtype)
        elif name.startswith("weight_hh"):
            param.data = orthogonal(H, G, param.dtype)
        else:
            bias = np.zeros_like(param.data)
            if forget_gate is not None and name.startswith("bias_ih"):
                bias[forget_gate * H:(forget_gate + 1) * H] = 1.0  # Keras has one bias; count the 1 once
            param.data = bias


def keras_conv(conv) -> None:
    """Glorot kernel with Keras's fans for a convolution (kernel_size times the channels in and out), zero bias."""
    filters, per_group, K = conv.weight.shape
    limit = np.sqrt(6.0 / (K * per_group + K * filters))
    conv.weight.data = generator().uniform(-limit, limit, conv.weight.shape).astype(conv.weight.dtype)
    if conv.bias is not None:
        conv.bias.data = np.zeros_like(conv.bias.data)
