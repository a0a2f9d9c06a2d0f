"""Batching: padding variable-length sequences, seeded shuffles, splits.

Clips of different durations give feature sequences of different lengths.
A batch pads them to the longest one and keeps the true ``lengths``; the
recurrent layers take those lengths and ignore the padding (PyTorch's
packed-sequence semantics), so padding never changes a result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minidl import validate


def pad_sequences(sequences, *, maxlen=None, dtype=np.float32, value: float = 0.0):
    """Stack sequences of different lengths into one zero-padded array.

    Parameters
    ----------
    sequences : list of array-like [shape=(T_i, F)] (or [T_i] for one feature)
    maxlen : int or None
        Pad (or cut, keeping the start) to this many steps; default the longest T_i.
    dtype : numpy dtype of the result
    value : float
        What fills the padding.

    Returns
    -------
    padded : np.ndarray [shape=(B, T, F)]
    lengths : np.ndarray [shape=(B,)], int64, min(T_i, T) per sequence

    Examples
    --------
    >>> padded, lengths = pad_sequences([np.ones((2, 3)), np.ones((4, 3))])
    >>> padded.shape, lengths.tolist()
    ((2, 4, 3), [2, 4])
    """
    arrays = [np.asarray(s) for s in sequences]
    if not arrays:
        raise ValueError("pad_sequences needs at least one sequence")
    arrays = [a[:, None] if a.ndim == 1 else a for a in arrays]  # [T] -> [T, 1]
    shapes = {a.shape[1:] for a in arrays}
    if len(shapes) != 1 or any(a.ndim != 2 for a in arrays):
        raise ValueError(f"pad_sequences expects [T_i, F] sequences with one F, got shapes "
                         f"{sorted({a.shape for a in arrays})[:5]}")
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    if maxlen is None:
        maxlen = int(lengths.max())
    else:
        maxlen = validate.positive_int("maxlen", maxlen)
    lengths = np.minimum(lengths, maxlen)
    padded = np.full((len(arrays), maxlen, arrays[0].shape[1]), value, dtype=dtype)  # [B, T, F]
    for b, (a, n) in enumerate(zip(arrays, lengths)):
        padded[b, :n] = a[:n]
    return padded, lengths


@dataclass
class Batch:
    """One batch: inputs [B, T, F] (or [B, F]), lengths [B] or None, targets [B] or [B, C], positions [B]."""

    inputs: np.ndarray
    lengths: np.ndarray | None
    targets: np.ndarray
    positions: np.ndarray


class BatchLoader:
    """Batches of (padded) sequences and their targets, shuffled per epoch with a seed.

    Parameters
    ----------
    sequences : list of [T_i, F] arrays (padded per batch, with lengths), or one array [N, ...]
        (sliced as it is; lengths None)
    targets : array-like [N] (class indices) or [N, C] (e.g. one-hot)
    batch_size : int > 0
    shuffle : bool
        Draw a new order every epoch; epoch e of seed s always gives the same order.
    seed : int
    transform : callable(sequence, position, epoch) -> array [T', F], or None
        Applied to each sequence as its batch is made (on-the-fly augmentation):
        ``position`` indexes ``sequences`` and ``epoch`` counts this loader's passes
        from 0, so a transform seeded from them gives the same batch for the same
        seed, whatever the order. Only for a list of sequences.

    Examples
    --------
    >>> loader = BatchLoader([np.ones((t, 2)) for t in (3, 1, 2)], [0, 1, 0], batch_size=2)
    >>> [b.lengths.tolist() for b in loader]
    [[3, 1], [2]]
    """

    def __init__(self, sequences, targets, *, batch_size: int = 32, shuffle: bool = False, seed: int = 0,
                 transform=None):
        batch_size = validate.positive_int("batch_size", batch_size)
        self.dense = isinstance(sequences, np.ndarray)
        if transform is not None and (self.dense or not callable(transform)):
            raise ValueError(f"transform must be a callable and sequences a list, got {type(transform).__name__} "
                             f"and {type(sequences).__name__}")
        self.transform = transform
        self.sequences = sequences if self.dense else list(sequences)
        self.targets = np.asarray(targets)
        if len(self.sequences) != len(self.targets):
            raise ValueError(f"{len(self.sequences)} sequences but {len(self.targets)} targets")
        if len(self.targets) == 0:
            raise ValueError("BatchLoader needs at least one example")
        self.batch_size, self.shuffle, self.seed = int(batch_size), bool(shuffle), seed
        self.epoch = 0

    def __len__(self) -> int:
        return -(-len(self.targets) // self.batch_size)

    def __iter__(self):
        n = len(self.targets)
        order = np.random.default_rng([self.seed, self.epoch]).permutation(n) if self.shuffle else np.arange(n)
        epoch, self.epoch = self.epoch, self.epoch + 1
        for start in range(0, n, self.batch_size):
            positions = order[start:start + self.batch_size]
            if self.dense:
                inputs, lengths = self.sequences[positions], None
            elif self.transform is not None:
                inputs, lengths = pad_sequences([self.transform(self.sequences[i], int(i), epoch) for i in positions])
            else:
                inputs, lengths = pad_sequences([self.sequences[i] for i in positions])
            yield Batch(inputs, lengths, self.targets[positions], positions)


def stratified_split(labels, fraction: float, *, seed: int = 0):
    """Split positions into (kept, held_out), holding out ``fraction`` of each class.

    Every class with at least two members keeps at least one and holds out at
    least one. Returns two sorted int arrays.
    """
    labels = np.asarray(labels)
    fraction = validate.fraction("fraction", fraction)
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        if len(members) > 1:
            held.append(members[:min(max(1, int(round(fraction * len(members)))), len(members) - 1)])
    held = np.sort(np.concatenate(held)) if held else np.array([], dtype=int)
    kept = np.setdiff1d(np.arange(len(labels)), held)
    return kept, held
