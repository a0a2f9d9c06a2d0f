"""minidl.data: padding (against PyTorch), seeded batching, stratified splits."""
from __future__ import annotations

import numpy as np
import pytest

from minidl.data import BatchLoader, pad_sequences, stratified_split


@pytest.mark.torch
def test_pad_sequences_equals_torch_pad_sequence():
    import torch
    from torch.nn.utils.rnn import pad_sequence

    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (4, 1, 7, 7, 2)]
    padded, lengths = pad_sequences(seqs)
    expected = pad_sequence([torch.from_numpy(s) for s in seqs], batch_first=True).numpy()
    np.testing.assert_array_equal(padded, expected)
    assert lengths.tolist() == [4, 1, 7, 7, 2] and lengths.dtype == np.int64


def test_pad_sequences_options():
    padded, lengths = pad_sequences([np.arange(5.0), np.arange(2.0)], maxlen=3, value=-1.0, dtype=np.float64)
    assert padded.shape == (2, 3, 1) and padded.dtype == np.float64
    assert padded[:, :, 0].tolist() == [[0, 1, 2], [0, 1, -1]] and lengths.tolist() == [3, 2]
    with pytest.raises(ValueError, match="one F"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ValueError, match="at least one"):
        pad_sequences([])
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences([np.ones(2)], maxlen=0)


def test_batch_loader_covers_every_example_once_per_epoch_in_a_seeded_order():
    seqs = [np.full((k % 5 + 1, 2), k, dtype=np.float32) for k in range(23)]
    targets = np.arange(23)
    loader = BatchLoader(seqs, targets, batch_size=4, shuffle=True, seed=7)
    epochs = [[b for b in loader] for _ in range(2)]
    assert len(loader) == 6 and [len(b.targets) for b in epochs[0]] == [4, 4, 4, 4, 4, 3]
    orders = [np.concatenate([b.targets for b in e]) for e in epochs]
    assert sorted(orders[0]) == list(range(23)) and not np.array_equal(orders[0], orders[1])
    for batch in epochs[0]:  # padded inputs agree with the sequences they came from
        for row, k, n in zip(batch.inputs, batch.targets, batch.lengths):
            assert n == k % 5 + 1 and (row[:n] == k).all() and (row[n:] == 0).all()
    replay = BatchLoader(seqs, targets, batch_size=4, shuffle=True, seed=7)
    assert np.array_equal(np.concatenate([b.targets for b in replay]), orders[0])
    dense = BatchLoader(np.zeros((5, 3, 2)), np.arange(5), batch_size=2)
    assert [b.lengths for b in dense] == [None, None, None]
    with pytest.raises(ValueError, match="batch_size"):
        BatchLoader(seqs, targets, batch_size=0)
    with pytest.raises(ValueError, match="23 sequences but 3 targets"):
        BatchLoader(seqs, targets[:3])


def test_stratified_split_holds_out_each_class():
    labels = np.repeat([0, 1, 2], [50, 20, 2])
    kept, held = stratified_split(labels, 0.1, seed=0)
    assert np.bincount(labels[held]).tolist() == [5, 2, 1]
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(72))
    assert np.array_equal(held, stratified_split(labels, 0.1, seed=0)[1])
    assert not np.array_equal(held, stratified_split(labels, 0.1, seed=1)[1])
    with pytest.raises(ValueError, match="fraction"):
        stratified_split(labels, 1.0)


def test_batch_loader_transform_sees_position_and_epoch():
    """A transform gets each sequence with its position and the epoch: batches are made of what it returns."""
    sequences = [np.full((t, 2), float(t)) for t in (3, 1, 2, 4)]
    seen = []

    def transform(sequence, position, epoch):
        seen.append((position, epoch))
        return np.concatenate([sequence, np.full((epoch, 2), -1.0)])  # epoch e adds e frames

    loader = BatchLoader(sequences, [0, 1, 0, 1], batch_size=3, shuffle=True, seed=5, transform=transform)
    for epoch in range(2):
        for batch in loader:
            for row, position, n in zip(batch.inputs, batch.positions, batch.lengths):
                assert n == len(sequences[position]) + epoch and row[0, 0] == len(sequences[position])
    assert sorted(seen) == [(p, e) for p in range(4) for e in range(2)]
    with pytest.raises(ValueError, match="transform must be a callable"):
        BatchLoader(np.zeros((4, 2)), [0, 1, 0, 1], transform=transform)
