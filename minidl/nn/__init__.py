"""minidl.nn: modules, layers and losses, with PyTorch's names."""
from minidl.nn.module import Module, Parameter  # noqa: I001
from minidl.nn.linear import Linear
from minidl.nn.container import Sequential
from minidl.nn.dropout import Dropout, dropout
from minidl.nn.activation import Identity, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from minidl.nn.losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MSELoss,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)

__all__ = [
    "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Identity", "Linear",
    "LogSoftmax", "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid",
    "Softmax", "Tanh", "binary_cross_entropy_with_logits", "cross_entropy",
    "dropout", "mse_loss",
]

from minidl.nn.recurrent import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell  # noqa: E402

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]

from minidl.nn.ctc import CTCLoss, ctc_loss  # noqa: E402

__all__ += ["CTCLoss", "ctc_loss"]

from minidl.nn.conv import (  # noqa: E402
    AvgPool1d, BatchNorm1d, CausalConv1d, Conv1d, LayerNorm, MaskedMean, MaxPool1d, conv1d, masked_mean,
)

__all__ += ["AvgPool1d", "BatchNorm1d", "CausalConv1d", "Conv1d", "LayerNorm", "MaskedMean", "MaxPool1d", "conv1d",
            "masked_mean"]
