"""minidl.keras beyond the seed listings: saving and loading, validation_split, callbacks,
Masking and Bidirectional, each against what Keras (or PyTorch) does."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest

import minidl
from minidl.errors import CheckpointError
from minidl.keras.callbacks import Callback, EarlyStopping, ModelCheckpoint
from minidl.keras.layers import GRU, LSTM, Bidirectional, Dense, Dropout, Masking, SimpleRNN
from minidl.keras.models import Sequential, load_model
from minidl.keras.optimizers import SGD
from minidl.keras.utils import to_categorical

REPO_ROOT = Path(__file__).resolve().parents[2]
T, F, CLASSES = 6, 3, 3


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, F)).astype(np.float32)
    y = to_categorical(rng.integers(0, CLASSES, n), CLASSES)
    return x, y


def small_model(optimizer="adam"):
    minidl.manual_seed(0)
    model = Sequential([LSTM(5, input_shape=(T, F), return_sequences=True), Dropout(0.1), GRU(4),
                        Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# ---------------------------------------------------------------- save / load
def test_a_saved_model_predicts_the_same_bit_for_bit_in_a_fresh_process(tmp_path):
    x, y = data()
    model = small_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "model.keras")
    np.save(tmp_path / "x.npy", x)
    script = ("import numpy as np; from minidl.keras.models import load_model; "
              f"m = load_model({str(tmp_path / 'model.keras')!r}); "
              f"np.save({str(tmp_path / 'p.npy')!r}, m.predict(np.load({str(tmp_path / 'x.npy')!r}))); "
              "print(m.loss, m.metrics_names, type(m.optimizer).__name__ if m.optimizer else m._optimizer_spec)")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "categorical_crossentropy ['loss', 'accuracy'] Adam(learning_rate=0.001" in done.stdout
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), model.predict(x))


def test_save_never_replaces_a_file_without_overwrite(tmp_path):
    x, y = data()
    model = small_model()
    model.predict(x[:2])
    target = tmp_path / "model.keras"
    target.write_text("my notes")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save(target)
    assert target.read_text() == "my notes"
    model.save(target, overwrite=True)
    assert isinstance(load_model(target), Sequential)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no temporary file left behind


def test_weights_alone_round_trip(tmp_path):
    x, y = data()
    model = small_model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save_weights(tmp_path / "w.weights.npz")
    minidl.manual_seed(1)  # different initial weights
    other = Sequential([LSTM(5, input_shape=(T, F), return_sequences=True), Dropout(0.1), GRU(4),
                        Dense(CLASSES, activation="softmax")])
    assert not np.array_equal(other.predict(x), model.predict(x))
    other.load_weights(tmp_path / "w.weights.npz")
    np.testing.assert_array_equal(other.predict(x), model.predict(x))


def test_loading_what_is_not_a_saved_model_names_the_file_and_what_was_expected(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"certainly not a model")
    with pytest.raises(CheckpointError, match="junk.keras"):
        load_model(junk)
    state = tmp_path / "state.npz"
    minidl.save({"w": np.ones(3)}, state)
    with pytest.raises(CheckpointError, match=r"state.npz.*not a model saved by Model.save"):
        load_model(state)
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        load_model(tmp_path / "missing.keras")
    model = small_model()
    model.predict(data()[0][:1])
    model.save_weights(tmp_path / "w.npz")
    with pytest.raises(CheckpointError, match="not a model saved by Model.save"):
        load_model(tmp_path / "w.npz")


def test_a_layer_this_version_does_not_know_is_a_clear_error(tmp_path):
    model = small_model()
    model.predict(data()[0][:1])
    model.save(tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as archive:  # edit the saved config: a layer from the future
        entries = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(np.load(tmp_path / "model.keras")["keras_config"].item())
    config["layers"][1]["class_name"] = "Conv7D"
    buffer = BytesIO()
    np.save(buffer, np.array(json.dumps(config)))
    entries["keras_config.npy"] = buffer.getvalue()
    with zipfile.ZipFile(tmp_path / "future.keras", "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    with pytest.raises(CheckpointError, match=r"future.keras.*'Conv7D'.*known layers"):
        load_model(tmp_path / "future.keras")


# ---------------------------------------------------------------- fit: validation_split and callbacks
def test_validation_split_holds_out_the_last_fraction_before_shuffling():
    x, y = data(n=10)
    model = small_model()
    history = model.fit(x, y, epochs=1, batch_size=4, validation_split=0.25, verbose=0)
    # Keras: split_at = floor(10 * (1 - 0.25)) = 7, so the last 3 examples validate
    held_out = model.evaluate(x[7:], y[7:], batch_size=4)
    assert history.history["val_loss"][0] == pytest.approx(held_out[0], rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(held_out[1])
    assert history.history["val_loss"][0] != pytest.approx(model.evaluate(x[:3], y[:3])[0], rel=1e-6)
    assert history.params["steps"] == 2  # 7 training examples in batches of 4
    with pytest.raises(ValueError, match="validation_split must lie in"):
        model.fit(x, y, validation_split=1.0, verbose=0)


class Recorder(Callback):
    """Keeps each epoch's logs and weights."""

    def on_train_begin(self, logs=None):
        self.logs, self.weights = [], []

    def on_epoch_end(self, epoch, logs=None):
        self.logs.append(dict(logs))
        self.weights.append(self.model.get_weights())


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    x, y = data(n=32)
    model = small_model(optimizer=SGD(learning_rate=3.0))  # a large step: the validation loss jumps about
    recorder = Recorder()
    stopper = EarlyStopping(monitor="val_loss", patience=100, restore_best_weights=True)
    history = model.fit(x, y, epochs=8, batch_size=8, validation_split=0.25, callbacks=[recorder, stopper],
                        verbose=0)
    losses = history.history["val_loss"]
    best = int(np.argmin(losses))
    assert best != len(losses) - 1, f"the test needs a best epoch before the last: {losses}"
    for ours, kept in zip(model.get_weights(), recorder.weights[best]):
        np.testing.assert_array_equal(ours, kept)
    assert history.epoch == list(range(8)) and stopper.best_epoch == best


def test_early_stopping_stops_when_patience_runs_out_as_keras_counts_it():
    x, y = data(n=32)
    model = small_model(optimizer=SGD(learning_rate=3.0))
    history = model.fit(x, y, epochs=30, batch_size=8, validation_split=0.25, verbose=0,
                        callbacks=[EarlyStopping(monitor="val_loss", patience=2)])
    losses = history.history["val_loss"]
    # Keras's rule: the wait grows each epoch, restarts at an improvement, stops once wait >= patience
    best, wait, stop = np.inf, 0, None
    for epoch, value in enumerate(losses):
        wait += 1
        if value < best:
            best, wait = value, 0
        elif wait >= 2 and epoch > 0:
            stop = epoch
            break
    assert stop == len(losses) - 1 < 29


def test_model_checkpoint_saves_only_improvements(tmp_path):
    x, y = data(n=32)
    model = small_model(optimizer=SGD(learning_rate=3.0))
    recorder = Recorder()
    checkpoint = ModelCheckpoint(str(tmp_path / "best-{epoch:02d}.keras"), monitor="val_loss", save_best_only=True)
    history = model.fit(x, y, epochs=6, batch_size=8, validation_split=0.25, callbacks=[recorder, checkpoint],
                        verbose=0)
    losses = history.history["val_loss"]
    improving = [e for e, v in enumerate(losses) if v < min(losses[:e], default=np.inf)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"best-{e + 1:02d}.keras" for e in improving]
    last = load_model(tmp_path / f"best-{improving[-1] + 1:02d}.keras")
    for ours, kept in zip(last.get_weights(), recorder.weights[improving[-1]]):
        np.testing.assert_array_equal(ours, kept)


def test_callbacks_must_be_callbacks():
    x, y = data(n=8)
    with pytest.raises(TypeError, match="Callback instances, got function"):
        small_model().fit(x, y, callbacks=[lambda epoch: None], verbose=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        EarlyStopping(mode="upwards")


# ---------------------------------------------------------------- Masking and Bidirectional
@pytest.mark.parametrize("layer_class", [LSTM, GRU, SimpleRNN])
def test_masking_on_front_padded_data_equals_lengths_on_the_unpadded_data(layer_class):
    rng = np.random.default_rng(3)
    lengths = np.array([6, 2, 4, 1])
    unpadded = [rng.standard_normal((n, F)).astype(np.float32) for n in lengths]
    front = np.zeros((4, T, F), np.float32)  # Keras's pad_sequences default: padding="pre"
    back = np.zeros((4, T, F), np.float32)
    for b, seq in enumerate(unpadded):
        front[b, T - len(seq):] = seq
        back[b, :len(seq)] = seq
    minidl.manual_seed(0)
    model = Sequential([Masking(mask_value=0.0, input_shape=(T, F)), layer_class(5, return_sequences=True)])
    recurrent = model.layers[1].recurrent
    outputs, _ = recurrent(minidl.tensor(back), lengths=lengths)  # the same module, told the lengths
    np.testing.assert_allclose(model.predict(front), outputs.numpy(), rtol=0, atol=1e-6)
    last = Sequential([Masking(input_shape=(T, F)), layer_class(5)])
    last.layers[1].recurrent.load_state_dict(recurrent.state_dict())
    expected = outputs.numpy()[np.arange(4), lengths - 1]  # each sequence's last valid step
    np.testing.assert_allclose(last.predict(front), expected, rtol=0, atol=1e-6)


def test_masking_refuses_an_all_padding_sequence():
    model = Sequential([Masking(input_shape=(T, F)), LSTM(3)])
    with pytest.raises(ValueError, match="sequence 1 has no step"):
        model.predict(np.stack([np.ones((T, F)), np.zeros((T, F))]).astype(np.float32))


@pytest.mark.torch
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
def test_bidirectional_equals_pytorch_bidirectional(merge_mode):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, T, F))
    minidl.manual_seed(0)
    model = Sequential([Bidirectional(LSTM(4, return_sequences=True), merge_mode=merge_mode, input_shape=(T, F))])
    model.predict(x.astype(np.float32))
    reference = torch.nn.LSTM(F, 4, batch_first=True, bidirectional=True).double()
    state = model.layers[0].layer.recurrent.state_dict()
    reference.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in state.items()})
    out, (h_n, _) = reference(torch.from_numpy(x))
    forward, backward = out[..., :4].detach().numpy(), out[..., 4:].detach().numpy()
    expected = {"concat": np.concatenate([forward, backward], -1), "sum": forward + backward,
                "ave": (forward + backward) / 2, "mul": forward * backward}[merge_mode]
    np.testing.assert_allclose(model.predict(x.astype(np.float32)), expected, rtol=1e-5, atol=1e-6)
    final = Sequential([Bidirectional(LSTM(4), input_shape=(T, F))])
    final.layers[0].layer.recurrent.load_state_dict(state)
    np.testing.assert_allclose(final.predict(x.astype(np.float32)),
                               torch.cat([h_n[0], h_n[1]], -1).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert final.layers[0].output_shape((T, F)) == (8,)


def test_bidirectional_round_trips_through_save(tmp_path):
    x, y = data()
    minidl.manual_seed(0)
    model = Sequential([Masking(input_shape=(T, F)), Bidirectional(GRU(3)), Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "bi.keras")
    again = load_model(tmp_path / "bi.keras")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert again.metrics_names == ["loss"] and again.layers[1].merge_mode == "concat"


def test_bidirectional_wraps_only_recurrent_layers():
    with pytest.raises(TypeError, match="wraps a SimpleRNN, LSTM or GRU layer, got Dense"):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        Bidirectional(LSTM(3), merge_mode="max")
