"""minidl.keras: a thin Keras-style facade over minidl's modules and training loop.

The seed document's listings run with only their imports changed::

    from minidl.keras.models import Sequential
    from minidl.keras.layers import LSTM, Dense

Layers: ``Dense``, ``SimpleRNN``, ``LSTM``, ``GRU``, ``Dropout``; the model:
``Sequential`` with ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary``.
Recurrent layers are minidl's PyTorch-style cells (same equations as
Keras's; two bias vectors where Keras has one), started with Keras's
initializers.
"""
from minidl.keras import initializers, layers, losses, models, optimizers, utils
from minidl.keras.layers import GRU, LSTM, Dense, Dropout, SimpleRNN
from minidl.keras.models import History, Sequential
from minidl.keras.utils import to_categorical

__all__ = ["GRU", "LSTM", "Dense", "Dropout", "History", "Sequential", "SimpleRNN", "initializers", "layers", "losses",
           "models", "optimizers", "to_categorical", "utils"]
