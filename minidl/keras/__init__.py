"""minidl.keras: a thin Keras-style facade over minidl's modules and training loop.

The seed document's listings run with only their imports changed::

    from minidl.keras.models import Sequential
    from minidl.keras.layers import LSTM, Dense

Layers: ``Dense``, ``SimpleRNN``, ``LSTM``, ``GRU``, ``Dropout``, ``Masking``,
``Bidirectional``, ``Conv1D``, ``MaxPooling1D``, ``GlobalAveragePooling1D``,
``BatchNormalization``; the model: ``Sequential`` with ``compile``, ``fit``
(``validation_split``, ``callbacks``), ``evaluate``, ``predict``, ``summary``,
``save`` / ``models.load_model``, ``save_weights`` / ``load_weights``;
callbacks ``History``, ``EarlyStopping``, ``ModelCheckpoint``.
Recurrent layers are minidl's PyTorch-style cells (same equations as
Keras's; two bias vectors where Keras has one), started with Keras's
initializers.
"""
from minidl.keras import callbacks, initializers, layers, losses, models, optimizers, utils
from minidl.keras.callbacks import EarlyStopping, History, ModelCheckpoint
from minidl.keras.layers import (
    GRU, LSTM, BatchNormalization, Bidirectional, Conv1D, Dense, Dropout, GlobalAveragePooling1D, Masking,
    MaxPooling1D, SimpleRNN,
)
from minidl.keras.models import Sequential
from minidl.keras.saving import load_model
from minidl.keras.utils import to_categorical

__all__ = ["GRU", "LSTM", "BatchNormalization", "Bidirectional", "Conv1D", "Dense", "Dropout", "EarlyStopping",
           "GlobalAveragePooling1D", "History", "Masking", "MaxPooling1D", "ModelCheckpoint", "Sequential",
           "SimpleRNN", "callbacks", "initializers", "layers", "load_model", "losses", "models", "optimizers",
           "to_categorical", "utils"]
