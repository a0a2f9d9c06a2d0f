"""minidl.keras: a thin Keras-style facade over minidl's modules and training loop.

The seed document's listings run with only their imports changed::

    from minidl.keras.models import Sequential
    from minidl.keras.layers import LSTM, Dense

Layers: ``Dense``, ``SimpleRNN``, ``LSTM``, ``GRU``, ``Dropout``; the model:
``Sequential`` with ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.
Recurrent layers use minidl's PyTorch-style cells and initialization (not
Keras's glorot/orthogonal initializers); the equations are the same.
"""
from minidl.keras import layers, losses, models, optimizers, utils
from minidl.keras.layers import GRU, LSTM, Dense, Dropout, SimpleRNN
from minidl.keras.models import History, Sequential
from minidl.keras.utils import to_categorical

__all__ = ["GRU", "LSTM", "Dense", "Dropout", "History", "Sequential", "SimpleRNN", "layers", "losses",
           "models", "optimizers", "to_categorical", "utils"]
