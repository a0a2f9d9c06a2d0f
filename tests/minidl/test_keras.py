"""minidl.keras: the seed document's three listings run unchanged but for their imports."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import audio
import minidl
from audio.datasets import synthetic_vowels
from minidl.keras import GRU, LSTM, Dense, Dropout, Sequential, SimpleRNN, to_categorical
from minidl.keras import losses as keras_losses

SEED_DOCUMENT = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "004_b74f4b0b3e722e31.txt"


def seed_listings() -> list:
    """The Python blocks of the seed document that build a Keras model."""
    if not SEED_DOCUMENT.exists():
        pytest.skip(f"seed document {SEED_DOCUMENT} is not present")
    blocks = re.findall(r"```python\n(.*?)```", SEED_DOCUMENT.read_text(encoding="utf-8"), flags=re.S)
    listings = [b for b in blocks if "from keras" in b]
    assert len(listings) == 3
    return listings


def with_minidl_imports(listing: str) -> str:
    """Change only the import lines: keras.models / keras.layers -> minidl.keras.*."""
    lines = []
    for line in listing.splitlines():
        if line.startswith("from keras."):
            line = line.replace("from keras.", "from minidl.keras.", 1)
        lines.append(line)
    return "\n".join(lines)


def preprocess_audio(y, sample_rate):
    """The seed document's preprocessing: resample to 22050 Hz, 40 MFCCs, mean over time."""
    signal = audio.resample(y, orig_sr=sample_rate, target_sr=22050)
    mfccs = audio.mfcc(y=signal, sr=22050, n_mfcc=40)
    return np.mean(mfccs, axis=1)


@pytest.fixture(scope="module")
def seed_data():
    """Single vowels (3 classes), as the seed's X: 40 averaged MFCCs read as 40 steps of 1 feature."""
    data = synthetic_vowels(n_clips=1200, word_length=1, seed=11)
    features = np.stack([preprocess_audio(y, data.sr) for y in data.clips])  # [N, 40]
    train, test = data.indices("train"), data.indices("test")
    features = (features - features[train].mean(axis=0)) / features[train].std(axis=0)
    X = features[:, :, None].astype(np.float32)  # [N, 40, 1]
    y = to_categorical(data.labels, data.num_classes)
    return {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test],
            "num_classes": data.num_classes, "mfccs": features}


@pytest.mark.parametrize("which", [0, 1, 2], ids=["SimpleRNN", "LSTM", "GRU"])
def test_seed_listing_runs_and_learns(seed_data, which, capsys):
    original = seed_listings()[which]
    listing = with_minidl_imports(original)
    changed = [(a, b) for a, b in zip(original.splitlines(), listing.splitlines()) if a != b]
    assert len(original.splitlines()) == len(listing.splitlines()) and len(changed) == 2
    assert all(a.startswith("from keras.") for a, _ in changed)
    minidl.manual_seed(0)
    namespace = dict(seed_data)
    exec(compile(listing, f"seed listing {which}", "exec"), namespace)
    model = namespace["model"]
    history = model.history.history
    assert sorted(history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history["loss"]) == 10
    assert history["loss"][-1] < history["loss"][0]
    # 3 vowels (chance 1/3) from 10 epochs of the listing's own settings and Keras's initializers
    assert history["val_accuracy"][-1] >= 0.8, f"chance is 1/3: {history}"
    loss, accuracy = model.evaluate(seed_data["X_test"], seed_data["y_test"])
    assert loss == pytest.approx(history["val_loss"][-1], rel=1e-5)
    assert accuracy == pytest.approx(history["val_accuracy"][-1])
    probabilities = model.predict(seed_data["X_test"])
    assert probabilities.shape == seed_data["y_test"].shape
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert "Epoch 10/10" in capsys.readouterr().out


def test_summary_counts_every_parameter(capsys):
    model = Sequential()
    model.add(GRU(units=6, input_shape=(7, 3), return_sequences=True))
    model.add(SimpleRNN(units=4))
    model.add(Dropout(0.2))
    model.add(Dense(units=2, activation="softmax"))
    model.summary()
    text = capsys.readouterr().out
    gru, rnn, dense = 3 * 6 * (3 + 6 + 2), 4 * (6 + 4 + 2), 2 * (4 + 1)  # PyTorch-style cells: two bias vectors
    assert f"Total params: {gru + rnn + dense:,}" in text
    assert "(None, 7, 6)" in text and "(None, 4)" in text and "(None, 2)" in text
    with pytest.raises(ValueError, match="not built"):
        Sequential([Dense(3)]).summary()


def test_keras_initializers():
    minidl.manual_seed(5)
    model = Sequential([LSTM(units=8, input_shape=(4, 3)), Dense(units=5)])
    lstm, dense = model.layers[0].recurrent, model.layers[1].linear
    w_hh = lstm.weight_hh_l0.numpy()  # [4*8, 8]: Keras's [8, 32] recurrent kernel, transposed
    np.testing.assert_allclose(w_hh.T @ w_hh, np.eye(8), atol=1e-5)  # orthonormal
    limit = np.sqrt(6 / (3 + 32))
    assert np.abs(lstm.weight_ih_l0.numpy()).max() <= limit and np.abs(dense.weight.numpy()).max() <= np.sqrt(6 / 13)
    bias = lstm.bias_ih_l0.numpy() + lstm.bias_hh_l0.numpy()
    assert bias.tolist() == [0.0] * 8 + [1.0] * 8 + [0.0] * 16  # gates i, f, g, o: forget bias 1
    assert not dense.bias.numpy().any()


def test_return_sequences_false_is_the_last_step():
    minidl.manual_seed(2)
    x = np.random.default_rng(2).standard_normal((4, 5, 3)).astype(np.float32)
    every = Sequential([LSTM(units=6, input_shape=(5, 3), return_sequences=True)])
    last = Sequential([LSTM(units=6, input_shape=(5, 3))])
    last.load_state_dict(every.state_dict())
    np.testing.assert_allclose(last.predict(x), every.predict(x)[:, -1], atol=1e-6)


def test_losses_against_their_formulas():
    rng = np.random.default_rng(3)
    scores = rng.standard_normal((5, 4))
    y = to_categorical(rng.integers(0, 4, 5), 4).astype(np.float64)
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    expected = -(y * np.log(p)).sum(axis=1).mean()
    t = minidl.tensor(scores)
    assert keras_losses.categorical_crossentropy(t, y, from_logits=True).item() == pytest.approx(expected, rel=1e-12)
    assert keras_losses.categorical_crossentropy(minidl.tensor(p), y, from_logits=False).item() == \
        pytest.approx(expected, rel=1e-6)
    labels = y.argmax(axis=1)
    assert keras_losses.sparse_categorical_crossentropy(t, labels, from_logits=True).item() == \
        pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="to_categorical"):
        keras_losses.categorical_crossentropy(t, labels, from_logits=True)


def test_compile_and_fit_errors():
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="optimizer"):
        model.compile(optimizer="adamax", loss="mse")
    with pytest.raises(ValueError, match="loss"):
        model.compile(optimizer="adam", loss="hinge")
    with pytest.raises(ValueError, match="activation"):
        Dense(2, activation="swish")
    with pytest.raises(TypeError, match="keras layer"):
        model.add(minidl.nn.Linear(2, 2))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    with pytest.raises(ValueError, match="4 examples but y has 3"):
        model.fit(np.zeros((4, 3)), np.zeros((3, 2)), verbose=0)


def test_a_small_conv1d_model_learns_the_seed_data(seed_data):
    from minidl.keras.layers import BatchNormalization, Conv1D, GlobalAveragePooling1D, MaxPooling1D

    minidl.manual_seed(0)
    model = Sequential([Conv1D(16, 5, padding="same", activation="relu", input_shape=(40, 1)),
                        BatchNormalization(momentum=0.9), MaxPooling1D(2), Conv1D(16, 3, activation="relu"),
                        GlobalAveragePooling1D(), Dense(seed_data["num_classes"], activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(seed_data["X_train"], seed_data["y_train"], epochs=10, batch_size=32, verbose=0,
                        validation_data=(seed_data["X_test"], seed_data["y_test"])).history
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.8, f"chance is 1/3: {history}"
