"""Convolutional layers over frames, layout [N, C, L]: convolution, pooling, normalization.

``conv`` (``Conv1d``, ``CausalConv1d``, ``conv1d``), ``pooling`` (``MaxPool1d``,
``AvgPool1d``, ``masked_mean``, ``MaskedMean``) and ``normalization``
(``BatchNorm1d``, ``LayerNorm``); the kernels are in ``kernels/conv``.
"""
from minidl.nn.conv.conv import CausalConv1d, Conv1d, conv1d
from minidl.nn.conv.normalization import BatchNorm1d, LayerNorm
from minidl.nn.conv.pooling import AvgPool1d, MaskedMean, MaxPool1d, masked_mean

__all__ = ["AvgPool1d", "BatchNorm1d", "CausalConv1d", "Conv1d", "LayerNorm", "MaskedMean", "MaxPool1d", "conv1d",
           "masked_mean"]
