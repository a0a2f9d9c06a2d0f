"""Checking what a recurrent cell or layer is called with: the state(s) and the lengths.

Cells and layers take their initial state the same way (PyTorch's): ``h``
alone for RNN and GRU, the pair ``(h, c)`` for LSTM, or nothing for zeros.
Layers also take ``lengths``, one per sequence of the batch.
"""
from __future__ import annotations

import numpy as np

from minidl.tensor import Tensor, as_tensor


def initial_states(hx, shape: tuple, *, n_states: int, like: Tensor, owner: str, names=("h", "c")) -> list:
    """The initial state(s) as a list of tensors, zeros when ``hx`` is None.

    Parameters
    ----------
    hx : Tensor, array, (h, c) pair or None
        What the caller passed: h for one state, (h, c) for two.
    shape : tuple
        The shape every state must have: [B, H] for a cell, [L*D, B, H] for a layer.
    n_states : int
        1 (RNN, GRU) or 2 (LSTM).
    like : Tensor
        The input; zeros are made with its dtype and device.
    owner : str
        Who is checking ("LSTM", "GRUCell"), for the error messages.
    names : (str, str)
        The states' names in error messages: ("h", "c") or ("h_0", "c_0").

    Returns
    -------
    list of ``n_states`` Tensors, each of ``shape``

    Raises
    ------
    ValueError
        When an LSTM state is not a pair, or a state has the wrong shape.
    """
    if hx is None:
        return [Tensor(like.xp.zeros(shape, dtype=like.dtype)) for _ in range(n_states)]
    given = [hx] if n_states == 1 else list(hx) if isinstance(hx, (tuple, list)) else None
    if given is None or len(given) != n_states:
        raise ValueError(f"{owner} expects the initial state as ({', '.join(names)}), got {type(hx).__name__}")
    states = [as_tensor(s) for s in given]
    for name, s in zip(names, states):
        if s.shape != shape:
            raise ValueError(f"{owner}: {name} has shape {s.shape}, expected {shape}")
    return states


def check_lengths(lengths, *, T: int, B: int):
    """``lengths`` as an int64 array [B] with values in [1, T], or None when not given.

    Raises
    ------
    ValueError
        When there is not one integer per batch element, or one lies outside [1, T].
    """
    if lengths is None:
        return None
    lengths = np.asarray(lengths.numpy() if isinstance(lengths, Tensor) else lengths)
    if lengths.ndim != 1 or lengths.shape[0] != B or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be {B} integers (one per batch element), got {lengths.dtype} array of shape {lengths.shape}"
        )
    if lengths.min() < 1 or lengths.max() > T:
        bad = lengths[(lengths < 1) | (lengths > T)][0]
        raise ValueError(f"lengths must lie in [1, {T}] (the sequence length), got {bad}")
    return lengths.astype(np.int64)
