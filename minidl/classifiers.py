"""Sequence classifiers: a recurrent net, convolutional nets, and the time-averaged baseline they must beat.

``SequenceClassifier`` reads a feature sequence with an RNN, LSTM or GRU
and classifies from the final hidden state of the last layer (both
directions when bidirectional). With ``lengths`` the final state is each
sequence's own last valid step, so padding does not matter.

``MeanPoolClassifier`` averages the features over time first (as the seed
document's preprocessing does with ``np.mean(mfccs, axis=1)``) and then
uses a small dense net. It cannot see order: it is the control experiment.

The convolutional models (``cnn``, ``crnn``, ``tcn``) are in
``minidl.conv_classifiers``; ``build_classifier`` makes any of them.
"""
from __future__ import annotations

import numpy as np

from minidl import validate
from minidl.conv_classifiers import CONVOLUTIONAL
from minidl.nn import GRU, LSTM, RNN, Dropout, Linear, Module, ReLU, Sequential
from minidl.ops.shape import concat
from minidl.tensor import Tensor, as_tensor

RECURRENT = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
MODEL_KINDS = (*RECURRENT, *CONVOLUTIONAL, "mean-mfcc-dense")


def recurrent_layers(kind: str, input_size: int, hidden_size: int, *, num_layers: int, bidirectional: bool,
                     dropout: float):
    """The batch-first RNN/LSTM/GRU stack of a classifier or recognizer, and its output width D * H.

    ``dropout`` applies between layers only when there are several.
    """
    kind = validate.choice("kind", kind, tuple(RECURRENT))
    layers = RECURRENT[kind](input_size, hidden_size, num_layers, batch_first=True,
                             dropout=dropout if num_layers > 1 else 0.0, bidirectional=bidirectional)
    return layers, hidden_size * (2 if bidirectional else 1)


class SequenceClassifier(Module):
    """Recurrent layers, then a linear layer on the last hidden state.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
    input_size, hidden_size, num_classes : int > 0
    num_layers : int > 0
    bidirectional : bool
    dropout : float in [0, 1)
        Between recurrent layers and before the output layer.

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> logits [B, num_classes]``.
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, num_classes: int, *,
                 num_layers: int = 1, bidirectional: bool = False, dropout: float = 0.0):
        super().__init__()
        self.kind = kind
        self.recurrent, width = recurrent_layers(kind, input_size, hidden_size, num_layers=num_layers,
                                                 bidirectional=bidirectional, dropout=dropout)
        self.dropout = Dropout(dropout)
        self.output = Linear(width, validate.positive_int("num_classes", num_classes))

    def forward(self, x, lengths=None):
        _, final = self.recurrent(x, lengths=lengths)
        h_n = final[0] if self.kind == "lstm" else final  # [L*D, B, H]
        D = self.recurrent.num_directions
        last = h_n[-1] if D == 1 else concat([h_n[-2], h_n[-1]], axis=1)  # [B, D*H]
        return self.output(self.dropout(last))


class MeanPoolClassifier(Module):
    """Time-averaged features, then Linear-ReLU-Linear: blind to order by construction.

    Shapes: ``forward(x [B, T, F], lengths [B] or None) -> logits [B, num_classes]``.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int, *, dropout: float = 0.0):
        super().__init__()
        self.net = Sequential(Linear(input_size, hidden_size), ReLU(), Dropout(dropout),
                              Linear(hidden_size, num_classes))

    def forward(self, x, lengths=None):
        x = as_tensor(x)
        B, T, _ = x.shape
        if lengths is None:
            return self.net(x.mean(axis=1))
        valid = (np.arange(T)[None, :] < np.asarray(lengths)[:, None]).astype(x.dtype)  # [B, T]
        total = (x * Tensor(valid[:, :, None])).sum(axis=1)  # [B, F]
        return self.net(total / Tensor(np.asarray(lengths, dtype=x.dtype)[:, None]))


def build_classifier(kind: str, input_size: int, num_classes: int, *, hidden_size: int = 64,
                     num_layers: int = 1, bidirectional: bool = False, dropout: float = 0.0) -> Module:
    """The model behind ``minidl train --model kind``.

    ``hidden_size`` is the recurrent layers' width, or the channels of the
    convolutional models. ``num_layers`` counts recurrent layers (the
    GRU's in ``crnn``); the convolutional depths are the models' defaults
    (``cnn`` 3 blocks, ``crnn`` 2, ``tcn`` enough for 250 frames), and
    ``crnn``'s GRU is always bidirectional, so ``bidirectional`` is for the
    recurrent kinds only.
    """
    if kind == "mean-mfcc-dense":
        return MeanPoolClassifier(input_size, hidden_size, num_classes, dropout=dropout)
    if kind == "crnn":
        return CONVOLUTIONAL[kind](input_size, hidden_size, num_classes, num_layers=num_layers, dropout=dropout)
    if kind in CONVOLUTIONAL:
        return CONVOLUTIONAL[kind](input_size, hidden_size, num_classes, dropout=dropout)
    if kind not in RECURRENT:
        raise ValueError(f"unknown model {kind!r}; expected one of {MODEL_KINDS}")
    return SequenceClassifier(kind, input_size, hidden_size, num_classes, num_layers=num_layers,
                              bidirectional=bidirectional, dropout=dropout)
