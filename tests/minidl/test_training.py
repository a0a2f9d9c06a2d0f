"""Classifiers and the training loop: masking, learning, early stopping, reproducibility."""
from __future__ import annotations

import numpy as np
import pytest

import minidl
from minidl import nn, optim
from minidl.classifiers import MeanPoolClassifier, SequenceClassifier, build_classifier
from minidl.data import BatchLoader
from minidl.training import confusion_matrix, fit, predict_scores, run_epoch


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_does_not_change_a_sequence_score(kind, bidirectional):
    minidl.manual_seed(0)
    model = SequenceClassifier(kind, 3, 5, 4, num_layers=2, bidirectional=bidirectional)
    model.eval()
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (6, 2, 9)]
    loader = BatchLoader(seqs, np.zeros(3, dtype=int), batch_size=3)
    batched = predict_scores(model, loader)
    for seq, row in zip(seqs, batched):
        alone = model(minidl.tensor(seq[None])).numpy()[0]
        np.testing.assert_allclose(row, alone, rtol=0, atol=1e-5)


def test_mean_pool_ignores_padding_and_order():
    minidl.manual_seed(1)
    model = MeanPoolClassifier(3, 8, 2)
    x = np.random.default_rng(1).standard_normal((1, 5, 3)).astype(np.float32)
    padded = np.concatenate([x, np.full((1, 4, 3), 100.0, np.float32)], axis=1)
    a = model(minidl.tensor(x)).numpy()
    b = model(minidl.tensor(padded), lengths=np.array([5])).numpy()
    c = model(minidl.tensor(x[:, ::-1].copy())).numpy()
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(a, c, atol=1e-5)


def _order_task(n=240, T=8, seed=0):
    """Class 1 when the bump comes before the dip: only order tells the classes apart."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    seqs = []
    for label in labels:
        x = 0.1 * rng.standard_normal((T, 1)).astype(np.float32)
        first, second = (1.0, -1.0) if label else (-1.0, 1.0)
        x[1, 0] += first
        x[T - 2, 0] += second
        seqs.append(x)
    return seqs, labels


def _train(kind, epochs=15, seed=0, patience=None):
    seqs, labels = _order_task()
    minidl.manual_seed(seed)
    model = build_classifier(kind, 1, 2, hidden_size=8)
    opt = optim.Adam(model.parameters(), lr=0.02)
    train = BatchLoader(seqs[:200], labels[:200], batch_size=20, shuffle=True, seed=seed)
    val = BatchLoader(seqs[200:], labels[200:], batch_size=40)
    history = fit(model, train, nn.cross_entropy, opt, epochs=epochs, val_loader=val, clip_norm=1.0,
                  patience=patience, progress=False)
    return model, history, val


def test_recurrent_model_learns_order_and_the_averaged_baseline_cannot():
    _, lstm_history, _ = _train("lstm")
    _, mean_history, _ = _train("mean-mfcc-dense")
    assert lstm_history.rows[-1]["val_accuracy"] >= 0.95
    assert mean_history.rows[-1]["val_accuracy"] <= 0.7
    assert lstm_history.rows[-1]["loss"] < lstm_history.rows[0]["loss"]


def test_training_is_reproducible_for_a_seed():
    _, first, _ = _train("gru", epochs=3, seed=5)
    _, second, _ = _train("gru", epochs=3, seed=5)
    _, other, _ = _train("gru", epochs=3, seed=6)
    assert first.column("loss") == second.column("loss")
    assert first.column("loss") != other.column("loss")


def test_early_stopping_restores_the_best_epoch():
    model, history, val = _train("lstm", epochs=40, patience=2)
    best = min(history.column("val_loss"))
    assert history.best_epoch == 1 + int(np.argmin(history.column("val_loss")))
    if history.stopped_early:
        assert len(history.rows) == history.best_epoch + 2
    restored_loss, _ = run_epoch(model, val, nn.cross_entropy)
    assert restored_loss == pytest.approx(best, rel=1e-5)
    with pytest.raises(ValueError, match="validation"):
        fit(model, val, nn.cross_entropy, optim.SGD(model.parameters()), epochs=1, patience=1)


def test_history_csv_and_confusion_matrix():
    _, history, _ = _train("rnn", epochs=2)
    lines = history.to_csv().splitlines()
    assert lines[0] == "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds" and len(lines) == 3
    assert float(lines[2].split(",")[1]) == pytest.approx(history.rows[1]["loss"], rel=1e-5)
    counts = confusion_matrix([0, 1, 1, 2, 2, 2], [0, 2, 1, 2, 2, 0], 3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1], [1, 0, 2]]


def test_build_classifier_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown model 'transformer'"):
        build_classifier("transformer", 3, 2)


def test_a_schedule_is_stepped_after_each_epoch_and_each_row_records_its_rate():
    rng = np.random.default_rng(3)
    data = BatchLoader([rng.standard_normal((4, 2)).astype(np.float32) for _ in range(8)], rng.integers(0, 2, 8),
                       batch_size=4)
    model = SequenceClassifier("rnn", 2, 3, 2)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, data, nn.cross_entropy, optimizer, epochs=4, progress=False,
                  schedule=optim.CosineAnnealingLR(optimizer, t_max=4))
    expected = [0.01 * (1 + np.cos(np.pi * t / 4)) / 2 for t in range(4)]  # epoch 1 trains at the full rate
    np.testing.assert_allclose(history.column("lr"), expected, rtol=1e-12)
    assert optimizer.lr == pytest.approx(0.0, abs=1e-15)
